package io.loopscope.http;

import io.loopscope.diagnostics.DemoBurst;
import io.loopscope.diagnostics.FleetWatch;
import io.loopscope.diagnostics.LoopWatchSettings;
import io.loopscope.loopwatch.LoopWatch;

import io.loopscope.core.BuildInfo;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static io.loopscope.http.Validation.params;

/**
 * LoopWatch on the admin port: the reports, the per-loop lag, a server-sent event stream of both,
 * and the dashboard page that charts them. Everything here runs on the admin Vert.x instance, never
 * on the loops it reports on.
 */
public final class DiagnosticsRoutes {

  /** Static assets (uPlot) under this prefix are not operations. */
  public static final String ASSETS = "/dashboard/assets/";
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_ROUTE_FILTER = 256;
  static final int MAX_STREAMS = 32;
  static final String SCOPE_LOCAL = "local";
  static final String SCOPE_CLUSTER = "cluster";

  private final Vertx vertx;
  private final LoopWatch loopWatch;
  private final FleetWatch fleet;
  private final DemoBurst demo;
  private final Buffer dashboardPage;
  private final int maxReports;
  private final AtomicInteger streams = new AtomicInteger();

  public DiagnosticsRoutes(Vertx vertx, LoopWatch loopWatch, FleetWatch fleet, DemoBurst demo, Buffer dashboardPage,
                           int maxReports) {
    this.vertx = vertx;
    this.loopWatch = loopWatch;
    this.fleet = fleet;
    this.demo = demo;
    this.dashboardPage = dashboardPage;
    this.maxReports = maxReports;
  }

  public void mount(Router router) {
    router.get("/diagnostics/event-loops").handler(ctx -> Responses.json(ctx,
      new JsonObject().put("loops", loopWatch.eventLoops())));
    router.get(LoopWatchSettings.REPORTS_PATH)
      .handler(params().queryInt("limit", 1, maxReports, Math.min(DEFAULT_LIMIT, maxReports))
        .queryOptionalText("route", MAX_ROUTE_FILTER)
        .queryEnum("scope", List.of(SCOPE_LOCAL, SCOPE_CLUSTER), SCOPE_LOCAL))
      .handler(this::blocked);
    router.get("/diagnostics/routes")
      .handler(params().queryEnum("window", LoopWatch.ROUTE_WINDOWS, LoopWatch.ROUTE_WINDOWS.get(0)))
      .handler(ctx -> Responses.json(ctx, loopWatch.routes(ctx.get("window"))));
    router.get("/diagnostics/warnings").handler(ctx -> Responses.json(ctx, loopWatch.warnings()));
    router.get("/diagnostics/nodes").handler(ctx -> Responses.json(ctx,
      new JsonObject().put("node", fleet.node()).put("nodes", new JsonArray(new ArrayList<>(fleet.nodes())))));
    router.get("/diagnostics/stream").handler(this::stream);
    router.post("/diagnostics/reset").handler(ctx -> {
      loopWatch.reset();
      fleet.reset();
      ctx.response().setStatusCode(204).end();
    });
    router.post("/diagnostics/demo").handler(ctx -> demo.run()
      .onSuccess(result -> Responses.json(ctx, result))
      .onFailure(ctx::fail));
    router.get("/dashboard").handler(ctx -> ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(dashboardPage));
    router.get(ASSETS + "*").handler(StaticHandler.create(BuildInfo.uplotRoot() + "/dist").setCachingEnabled(true));
  }

  private void blocked(RoutingContext ctx) {
    int limit = ctx.get("limit");
    String route = ctx.get("route");
    String scope = ctx.get("scope");
    List<JsonObject> reports = fleet.reports(SCOPE_CLUSTER.equals(scope), limit, route);
    Responses.json(ctx, new JsonObject().put("scope", scope).put("reports", new JsonArray(new ArrayList<>(reports))));
  }

  /** Server-sent events: {@code lag} each second, {@code blocked} as each report starts and ends. */
  private void stream(RoutingContext ctx) {
    if (streams.incrementAndGet() > MAX_STREAMS) {
      streams.decrementAndGet();
      ctx.fail(Problem.saturated("Already " + MAX_STREAMS + " diagnostics streams open", 5).toException());
      return;
    }
    HttpServerResponse response = ctx.response()
      .setChunked(true)
      .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
      .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache");
    Context context = vertx.getOrCreateContext();
    Runnable unsubscribe = loopWatch.subscribe(event -> context.runOnContext(v -> send(response, event)));
    response.closeHandler(closed -> {
      unsubscribe.run();
      streams.decrementAndGet();
    });
    // a comment first, so the client sees the stream open before the first sample
    response.write(": loopscope LoopWatch stream\n\n");
  }

  /** A slow client loses lag samples rather than making the server buffer them; one too slow even for reports is cut off. */
  private static void send(HttpServerResponse response, LoopWatch.Event event) {
    if (response.closed() || response.ended()) {
      return;
    }
    if (response.writeQueueFull()) {
      if (!"lag".equals(event.type())) {
        response.reset();
      }
      return;
    }
    response.write("event: " + event.type() + "\ndata: " + event.data().encode() + "\n\n");
  }
}
