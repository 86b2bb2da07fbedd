package io.loopscope.bench;

import org.HdrHistogram.Histogram;

import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What one target's run measured. {@code requested} is what the plan asked for (burst and open loop)
 * or what was sent (closed loop). Latencies are kept in microseconds.
 */
public record EndpointResult(Endpoint target, LoadSettings.Mode mode, Instant startedAt, long elapsedNanos, long requested,
                           long completed, long succeeded, Map<String, Long> errors, Histogram latencyMicros,
                           boolean interrupted) {

  public double elapsedSeconds() {
    return elapsedNanos / 1e9;
  }

  public double requestsPerSecond() {
    return elapsedNanos <= 0 ? 0 : completed / elapsedSeconds();
  }

  public long failed() {
    return completed - succeeded;
  }

  /** Latency at a percentile (0..100), in milliseconds; 0 when nothing completed. */
  public double latencyMs(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }

  public double maxLatencyMs() {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0;
  }

  public double meanLatencyMs() {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMean() / 1000.0;
  }

  public Instant endedAt() {
    return startedAt.plusNanos(elapsedNanos);
  }

  public long elapsedMs() {
    return TimeUnit.NANOSECONDS.toMillis(elapsedNanos);
  }
}
