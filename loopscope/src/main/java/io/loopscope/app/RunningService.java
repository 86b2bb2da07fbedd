package io.loopscope.app;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.config.NodeRole;

import io.loopscope.cluster.ClusteredVertx;
import io.loopscope.diagnostics.LoopWatchSettings;
import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.metrics.RouteBoundMetricsFactory;
import io.loopscope.tracing.Tracing;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** One running loopscope: its main Vert.x instance and the {@link MainVerticle} deployed on it. */
public final class RunningService {

  private final Vertx vertx;
  private final MainVerticle main;
  /** Null when tracing is off. */
  private final OpenTelemetrySdk tracing;

  private RunningService(Vertx vertx, MainVerticle main, OpenTelemetrySdk tracing) {
    this.vertx = vertx;
    this.main = main;
    this.tracing = tracing;
  }

  /** The whole service on one node. */
  public static Future<RunningService> start(LoopscopeConfig config) {
    return start(config, NodeRole.API);
  }

  /** Builds the main Vert.x instance (clustered when cluster.enabled) and deploys {@link MainVerticle}; on failure everything is closed again. */
  public static Future<RunningService> start(LoopscopeConfig config, NodeRole role) {
    // the default node name may look the host name up: here, never on an event loop
    config.cluster().node();
    PrometheusMeterRegistry registry = config.metrics().enabled() ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    VertxBuilder builder = Vertx.builder().with(vertxOptions(config, registry != null));
    VertxMetricsFactory metrics = LoopWatch.metricsFactory(registry == null ? null : new RouteBoundMetricsFactory(registry),
      LoopWatchSettings.of(config));
    if (metrics != null) {
      builder.withMetrics(metrics);
    }
    OpenTelemetrySdk tracing = config.tracing().enabled() ? Tracing.sdk(config.tracing()) : null;
    if (tracing != null) {
      Tracing.withTracer(builder, tracing);
    }
    Future<Vertx> built = config.cluster().enabled()
      ? ClusteredVertx.build(builder, config.cluster()) : Future.succeededFuture(builder.build());
    return built.compose(vertx -> deploy(vertx, new MainVerticle(config, registry, role), tracing))
      .onFailure(failed -> shutdownTracing(tracing));
  }

  private static Future<RunningService> deploy(Vertx vertx, MainVerticle main, OpenTelemetrySdk tracing) {
    // not bound to any context: on failure it completes after the instance (and its contexts) are gone
    Promise<RunningService> started = Promise.promise();
    vertx.deployVerticle(main).onComplete(deployed -> {
      if (deployed.succeeded()) {
        started.complete(new RunningService(vertx, main, tracing));
      } else {
        // Vert.x cannot be closed and awaited from one of its own threads
        new Thread(() -> {
          vertx.close().await();
          started.fail(deployed.cause());
        }, "loopscope-startup-cleanup").start();
      }
    });
    return started.future();
  }

  /** Event loops, their transport, the blocking pool, and the blocked-thread checker all come from our config. */
  static VertxOptions vertxOptions(LoopscopeConfig config, boolean metrics) {
    VertxOptions options = new VertxOptions()
      .setEventLoopPoolSize(MainVerticle.eventLoopCount(config))
      .setPreferNativeTransport(config.vertx().nativeTransport())
      .setWorkerPoolSize(config.workers().blockingPoolSize());
    LoopWatch.configure(options, LoopWatchSettings.of(config));
    if (config.cluster().enabled()) {
      options.setEventBusOptions(ClusteredVertx.eventBusOptions(config.cluster()));
    }
    if (metrics) {
      // route templates, never raw paths, keep the label cardinality bounded
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
    }
    return options;
  }

  public Vertx vertx() {
    return vertx;
  }

  public MainVerticle main() {
    return main;
  }

  public int apiPort() {
    return main.apiPort();
  }

  public int adminPort() {
    return main.adminPort();
  }

  public String upstreamBaseUrl() {
    return main.upstreamBaseUrl();
  }

  /** Undeploys everything and closes Vert.x, then sends the spans still buffered. */
  public Future<Void> stop() {
    return vertx.close().eventually(() -> shutdownTracing(tracing));
  }

  private static Future<Void> shutdownTracing(OpenTelemetrySdk tracing) {
    return tracing == null ? Future.succeededFuture() : Tracing.shutdown(tracing);
  }
}
