package io.loopscope.loopwatch;

import io.vertx.core.json.JsonObject;

/** What {@link PoolWatch} sees, as warnings: {@code pool-saturated} and {@code ordered-serialised}, one per pool and route episode. */
final class PoolWarnings implements PoolWatch.Listener {

  private final Warnings warnings;
  private final LoopWatchMetrics metrics;

  PoolWarnings(Warnings warnings, LoopWatchMetrics metrics) {
    this.warnings = warnings;
    this.metrics = metrics;
  }

  @Override
  public void saturated(PoolWatch.Pool pool, String route, long queuedNanos, int queueDepth) {
    double queuedMs = millis(queuedNanos);
    boolean fresh = warnings.seen(Warnings.POOL_SATURATED, pool.name + " " + route, new JsonObject()
        .put("pool", pool.name).put("route", route).put("poolSize", pool.maxSize).put("queueDepth", queueDepth)
        .put("queuedMs", queuedMs),
      "Pool " + pool.name + " is saturated: work of " + route + " waited " + queuedMs + " ms in its queue behind "
        + queueDepth + " tasks (all " + pool.maxSize + " threads busy)");
    if (fresh) {
      metrics.poolSaturated(pool.name, route);
    }
  }

  @Override
  public void serialised(PoolWatch.Pool pool, String route, long queuedNanos, long runNanos) {
    warnings.seen(Warnings.ORDERED_SERIALISED, pool.name + " " + route, new JsonObject()
        .put("pool", pool.name).put("route", route).put("queuedMs", millis(queuedNanos)).put("runMs", millis(runNanos)),
      "Ordered blocking work of " + route + " waited " + millis(queuedNanos) + " ms for its turn, longer than it ran ("
        + millis(runNanos) + " ms), while pool " + pool.name + " had free threads: ordered=true serialises it");
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }
}
