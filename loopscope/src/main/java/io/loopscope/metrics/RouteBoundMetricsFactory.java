package io.loopscope.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MetricsNaming;

/**
 * vertx-micrometer-metrics for everything, except that HTTP server requests are counted by
 * {@link RouteBoundHttpServerMetrics}: the same series and labels, with meters bound once per route, method
 * and status instead of built and looked up on every request (that lookup was about 15 % of the CPU samples
 * of a loaded service).
 */
public final class RouteBoundMetricsFactory implements VertxMetricsFactory {

  private final MicrometerMetricsFactory micrometer;
  private final MeterRegistry registry;

  public RouteBoundMetricsFactory(MeterRegistry registry) {
    this.micrometer = new MicrometerMetricsFactory(registry);
    this.registry = registry;
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    MetricsNaming names = options.getMetricsOptions() instanceof MicrometerMetricsOptions micrometerOptions
      ? micrometerOptions.getMetricsNaming() : MetricsNaming.v4Names();
    // the base name vertx-micrometer gives its HTTP server meters (AbstractMetrics.baseName)
    String httpServer = "vertx." + MetricsDomain.HTTP_SERVER.toCategory() + ".";
    return new RouteBoundVertxMetrics(micrometer.metrics(options), registry, names.withBaseName(httpServer));
  }

  @Override
  public MetricsOptions newOptions() {
    return micrometer.newOptions();
  }

  @Override
  public MetricsOptions newOptions(MetricsOptions options) {
    return micrometer.newOptions(options);
  }

  @Override
  public MetricsOptions newOptions(JsonObject json) {
    return micrometer.newOptions(json);
  }
}
