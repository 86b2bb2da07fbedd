package io.loopscope.loopwatch;

import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * Builds Vert.x's metrics so that LoopWatch sees every pool's queue ({@link PoolWatch}); everything else is
 * the given factory's (vertx-micrometer), or nothing when metrics are off. Pass it to
 * {@code VertxBuilder.withMetrics}: Vert.x uses a factory given there whether or not metrics are enabled.
 */
final class WatchedMetricsFactory implements VertxMetricsFactory {

  private final VertxMetricsFactory inner;

  /** @param inner the metrics to keep; null when metrics are off */
  WatchedMetricsFactory(VertxMetricsFactory inner) {
    this.inner = inner;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new WatchedVertxMetrics(inner == null ? null : inner.metrics(options));
  }

  @Override
  public MetricsOptions newOptions() {
    return inner == null ? new MetricsOptions() : inner.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return inner == null ? new MetricsOptions(options) : inner.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return inner == null ? new MetricsOptions(json) : inner.newOptions(json);
  }
}
