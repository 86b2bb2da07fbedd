package io.loopscope.bench;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;

/**
 * What one event loop measured: a latency histogram (microseconds; fixed size however many requests)
 * and counts of successes and failures by kind. Written by one thread only; read across threads through
 * {@link #completed()} (progress) and {@link #copy()} (taken on the owning thread).
 */
final class Tally {

  static final String TIMEOUT = "timeout";
  static final String CONNECTION = "connection";
  static final String OTHER = "other";

  private final Histogram latencyMicros = new Histogram(3);
  private final Map<String, Long> errors = new TreeMap<>();
  private long succeeded;
  private volatile long completed;

  void recordSuccess(long latencyNanos) {
    latencyMicros.recordValue(toMicros(latencyNanos));
    succeeded++;
    completed++;
  }

  void recordFailure(long latencyNanos, Throwable failure) {
    latencyMicros.recordValue(toMicros(latencyNanos));
    errors.merge(kindOf(failure), 1L, Long::sum);
    completed++;
  }

  long completed() {
    return completed;
  }

  long succeeded() {
    return succeeded;
  }

  Histogram latencyMicros() {
    return latencyMicros;
  }

  Map<String, Long> errors() {
    return errors;
  }

  Tally copy() {
    Tally copy = new Tally();
    copy.add(this);
    return copy;
  }

  void add(Tally other) {
    latencyMicros.add(other.latencyMicros);
    other.errors.forEach((kind, count) -> errors.merge(kind, count, Long::sum));
    succeeded += other.succeeded;
    completed += other.completed;
  }

  /** An HTTP status ({@code HTTP 503}), {@code timeout}, {@code connection} (refused, reset, closed) or {@code other}. */
  static String kindOf(Throwable failure) {
    if (failure instanceof UnexpectedStatus status) {
      return "HTTP " + status.status();
    }
    if (failure instanceof TimeoutException || failure instanceof ConnectTimeoutException) {
      return TIMEOUT;
    }
    if (failure instanceof IOException || failure instanceof HttpClosedException) {
      return CONNECTION;
    }
    return OTHER;
  }

  private static long toMicros(long nanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos));
  }
}
