package io.loopscope.http;

import io.loopscope.app.Health;
import io.loopscope.app.LoopscopeConfig;
import io.loopscope.app.StartupException;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

/** The operators' port: health probes now; metrics and diagnostics mount here too. Never exposed publicly. */
public final class AdminVerticle extends VerticleBase {

  private final Health health;
  private final PrometheusMeterRegistry registry;
  private HttpServer server;

  /** @param registry the main instance's metrics, scraped at /metrics; null when metrics are off */
  public AdminVerticle(Health health, PrometheusMeterRegistry registry) {
    this.health = health;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    LoopscopeConfig config = LoopscopeConfig.from(config());
    Router router = Router.router(vertx);
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.readiness()));
    if (registry != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    }
    Problems.install(router);
    String host = config.admin().host();
    int port = config.admin().port();
    return vertx.createHttpServer()
      .requestHandler(router)
      .invalidRequestHandler(Problems::invalidRequest)
      .listen(port, host)
      .onSuccess(listening -> server = listening)
      .recover(StartupException.cannotListen("admin.port", host, port));
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }
}
