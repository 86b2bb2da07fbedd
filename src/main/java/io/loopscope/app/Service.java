package io.loopscope.app;

import io.loopscope.diagnostics.LoopWatch;
import io.loopscope.metrics.RouteBoundMetricsFactory;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;

/** One running loopscope: its main Vert.x instance and the {@link MainVerticle} deployed on it. */
public final class Service {

  private final Vertx vertx;
  private final MainVerticle main;

  private Service(Vertx vertx, MainVerticle main) {
    this.vertx = vertx;
    this.main = main;
  }

  /** Builds the main Vert.x instance and deploys {@link MainVerticle}; on failure everything is closed again. */
  public static Future<Service> start(LoopscopeConfig config) {
    PrometheusMeterRegistry registry = config.metrics().enabled() ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT) : null;
    VertxBuilder builder = Vertx.builder().with(vertxOptions(config, registry != null));
    if (registry != null) {
      builder.withMetrics(new RouteBoundMetricsFactory(registry));
    }
    Vertx vertx = builder.build();
    MainVerticle main = new MainVerticle(registry);
    // not bound to any context: on failure it completes after the instance (and its contexts) are gone
    Promise<Service> started = Promise.promise();
    vertx.deployVerticle(main, new DeploymentOptions().setConfig(config.json())).onComplete(deployed -> {
      if (deployed.succeeded()) {
        started.complete(new Service(vertx, main));
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

  /** Event loops, the blocking pool, and the blocked-thread checker all come from our config. */
  static VertxOptions vertxOptions(LoopscopeConfig config, boolean metrics) {
    VertxOptions options = new VertxOptions()
      .setEventLoopPoolSize(MainVerticle.eventLoopCount(config))
      .setWorkerPoolSize(config.workers().blockingPoolSize());
    LoopWatch.configure(options, config.diagnostics());
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

  /** Undeploys everything and closes Vert.x. */
  public Future<Void> stop() {
    return vertx.close();
  }
}
