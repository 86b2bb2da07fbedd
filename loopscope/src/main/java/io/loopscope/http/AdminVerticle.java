package io.loopscope.http;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.diagnostics.DemoBurst;
import io.loopscope.diagnostics.FleetWatch;
import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.overload.ConnectionLimit;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import io.vertx.micrometer.PrometheusScrapingHandler;

import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The operators' port: health probes, metrics, LoopWatch's diagnostics and dashboard, and their
 * contract at {@code /openapi.yaml}. Never exposed publicly.
 */
public final class AdminVerticle extends VerticleBase {

  public static final String CONTRACT = "admin-openapi.yaml";
  static final String DASHBOARD_PAGE = "webroot/dashboard.html";

  private final LoopscopeConfig config;
  private final Health health;
  private final PrometheusMeterRegistry registry;
  private final LoopWatch loopWatch;
  private final FleetWatch fleet;
  private final IntSupplier apiPort;
  private final Supplier<JsonObject> overload;
  private Router router;
  private ConnectionGuard guard;
  private DemoBurst demo;
  private HttpServer server;

  /**
   * @param config the whole service's, as loaded
   * @param registry the main instance's metrics, scraped at /metrics; null when metrics are off
   * @param loopWatch the diagnostics to serve; null when they are off
   * @param fleet the same across the cluster (this node alone when the cluster is off); null when diagnostics are off
   * @param apiPort the API's port once it listens (the dashboard's demo calls it)
   * @param overload the body budget and shedding now, for /diagnostics/overload
   */
  public AdminVerticle(LoopscopeConfig config, Health health, PrometheusMeterRegistry registry, LoopWatch loopWatch,
                       FleetWatch fleet, IntSupplier apiPort, Supplier<JsonObject> overload) {
    this.config = config;
    this.health = health;
    this.registry = registry;
    this.loopWatch = loopWatch;
    this.fleet = fleet;
    this.apiPort = apiPort;
    this.overload = overload;
  }

  @Override
  public Future<?> start() {
    Future<Buffer> contract = vertx.fileSystem().readFile(CONTRACT);
    Future<Buffer> dashboard = vertx.fileSystem().readFile(DASHBOARD_PAGE);
    return Future.all(contract, dashboard)
      .compose(read -> listen(config, router(config, contract.result(), dashboard.result())));
  }

  private Router router(LoopscopeConfig config, Buffer contract, Buffer dashboardPage) {
    router = Router.router(vertx);
    guard = new ConnectionGuard(vertx, config.admin().connections(),
      new ConnectionLimit(config.admin().connections().maxConnections()));
    router.route().handler(guard.requestStarted());
    router.get("/health/live").handler(HealthCheckHandler.createWithHealthChecks(health.liveness()));
    router.get("/health/ready").handler(HealthCheckHandler.createWithHealthChecks(health.readiness()));
    if (registry != null) {
      router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
    }
    if (loopWatch != null) {
      demo = new DemoBurst(vertx, config.http().host(), apiPort);
      new DiagnosticsRoutes(vertx, loopWatch, fleet, demo, dashboardPage, config.diagnostics().maxReports()).mount(router);
    }
    router.get("/diagnostics/overload").handler(ctx -> Responses.json(ctx, overload.get()));
    router.get("/openapi.yaml").handler(ApiDocsRoutes.yaml(contract));
    Problems.install(router);
    return router;
  }

  private Future<HttpServer> listen(LoopscopeConfig config, Router router) {
    String host = config.admin().host();
    int port = config.admin().port();
    return HttpListener.listen(vertx, router, guard, "admin.port", host, port, port)
      .onSuccess(listening -> server = listening);
  }

  /** The routes the admin port serves (the contract test compares them with admin-openapi.yaml). */
  public Router router() {
    return router;
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  @Override
  public Future<?> stop() {
    if (demo != null) {
      demo.close();
    }
    return Future.succeededFuture();
  }
}
