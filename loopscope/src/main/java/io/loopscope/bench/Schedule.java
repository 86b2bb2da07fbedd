package io.loopscope.bench;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands out the next request's intended send time ({@link System#nanoTime()}) to whichever connection
 * is free, or {@link #DONE}. Shared by every event loop of one run, so it is thread-safe and allocation-free.
 */
abstract class Schedule {

  static final long DONE = Long.MIN_VALUE;

  private volatile boolean stopped;

  /** @param now the caller's current {@link System#nanoTime()} */
  final long next(long now) {
    return stopped ? DONE : nextUnlessStopped(now);
  }

  abstract long nextUnlessStopped(long now);

  /** No new requests after this; those in flight finish. */
  final void stop() {
    stopped = true;
  }

  final boolean stopped() {
    return stopped;
  }

  static Schedule of(LoadSettings settings, long startNanos) {
    return switch (settings.mode()) {
      case BURST -> new Burst(settings.requests());
      case CLOSED_LOOP -> new ClosedLoop(startNanos + settings.duration().toNanos());
      case OPEN_LOOP -> new OpenLoop(startNanos, settings.rate(), settings.scheduledRequests());
    };
  }

  /** A fixed number of requests, each sent as soon as a connection is free. */
  static final class Burst extends Schedule {
    private final AtomicLong remaining;

    Burst(long requests) {
      remaining = new AtomicLong(requests);
    }

    @Override
    long nextUnlessStopped(long now) {
      return remaining.getAndDecrement() > 0 ? now : DONE;
    }
  }

  /** Send again as soon as an answer arrives, until the deadline. */
  static final class ClosedLoop extends Schedule {
    private final long deadline;

    ClosedLoop(long deadline) {
      this.deadline = deadline;
    }

    @Override
    long nextUnlessStopped(long now) {
      return now - deadline < 0 ? now : DONE;
    }
  }

  /**
   * Request i is due at {@code start + i / rate}, whether or not the server kept up: a late request is
   * measured from when it was due (wrk2's coordinated-omission correction), not from when it could go.
   */
  static final class OpenLoop extends Schedule {
    private final long start;
    private final double intervalNanos;
    private final long total;
    private final AtomicLong issued = new AtomicLong();

    OpenLoop(long start, double rate, long total) {
      this.start = start;
      this.intervalNanos = 1e9 / rate;
      this.total = total;
    }

    @Override
    long nextUnlessStopped(long now) {
      long i = issued.getAndIncrement();
      return i < total ? start + (long) (i * intervalNanos) : DONE;
    }
  }
}
