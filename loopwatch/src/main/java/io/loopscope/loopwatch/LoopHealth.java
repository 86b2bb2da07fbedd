package io.loopscope.loopwatch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** The health checks LoopWatch answers: a loop stalled (or lagging) too long. */
final class LoopHealth {

  private final List<LoopProbe> probes;
  private final Function<Thread, String> runningNow;
  private final long readyMaxStallMs;
  private final long liveMaxStallMs;

  LoopHealth(List<LoopProbe> probes, Function<Thread, String> runningNow, long readyMaxStallMs, long liveMaxStallMs) {
    this.probes = probes;
    this.runningNow = runningNow;
    this.readyMaxStallMs = readyMaxStallMs;
    this.liveMaxStallMs = liveMaxStallMs;
  }

  /** DOWN while a loop has been stalled longer than {@code readyMaxStallMs}, or its 10-s lag p99 is above it. */
  Status readiness() {
    return stallStatus(readyMaxStallMs, true);
  }

  /** DOWN only when a loop has been stalled longer than {@code liveMaxStallMs}: restarting is the only cure. */
  Status liveness() {
    return stallStatus(liveMaxStallMs, false);
  }

  private Status stallStatus(long maxMs, boolean lagCounts) {
    long now = System.nanoTime();
    JsonArray stalled = new JsonArray();
    for (LoopProbe probe : probes) {
      long stalledMs = TimeUnit.NANOSECONDS.toMillis(probe.runningNanos(now));
      double p99Ms = lagCounts ? probe.windowP99Ms() : 0;
      if (stalledMs > maxMs || p99Ms > maxMs) {
        stalled.add(new JsonObject().put("loop", probe.index()).put("stalledMs", stalledMs).put("lagP99Ms", p99Ms)
          .put("running", runningNow.apply(probe.thread())));
      }
    }
    return stalled.isEmpty() ? Status.OK() : Status.KO(new JsonObject().put("maxStallMs", maxMs).put("stalled", stalled));
  }
}
