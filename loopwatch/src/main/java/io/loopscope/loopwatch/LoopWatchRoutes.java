package io.loopscope.loopwatch;

import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * LoopWatch's read side for any router, under {@value #BASE}: {@code GET blocked?limit=50&route=GET%20/x} (the
 * newest reports first), {@code GET event-loops} (lag and what each loop runs now), {@code GET routes?window=60s|all}
 * (the route profile), {@code GET warnings}, {@code GET stream} (server-sent events: {@code lag}, {@code blocked},
 * {@code warning}) and {@code POST reset}. Mount it on an admin router, not a public one: reports carry stacks.
 */
public final class LoopWatchRoutes {

  /** Where {@link #mount} puts the routes. */
  public static final String BASE = "/loopwatch";
  private static final int MAX_LIMIT = 10_000;

  private final LoopWatch watch;

  private LoopWatchRoutes(LoopWatch watch) {
    this.watch = watch;
  }

  /** Adds the routes under {@value #BASE} to {@code router}. */
  public static void mount(Router router, LoopWatch watch) {
    LoopWatchRoutes routes = new LoopWatchRoutes(watch);
    router.get(BASE + "/blocked").handler(routes::getBlocked);
    router.get(BASE + "/event-loops").handler(routes::getEventLoops);
    router.get(BASE + "/routes").handler(routes::getRoutes);
    router.get(BASE + "/warnings").handler(routes::getWarnings);
    router.get(BASE + "/stream").handler(routes::getStream);
    router.post(BASE + "/reset").handler(routes::reset);
  }

  private void getBlocked(RoutingContext ctx) {
    int limit;
    try {
      limit = Math.min(MAX_LIMIT, Integer.parseInt(ctx.request().getParam("limit", "50")));
    } catch (NumberFormatException e) {
      ctx.response().setStatusCode(400).end("limit must be a number");
      return;
    }
    JsonArray reports = new JsonArray();
    watch.reports(Math.max(1, limit), ctx.request().getParam("route")).forEach(report -> reports.add(report.toJson()));
    json(ctx, new JsonObject().put("reports", reports));
  }

  private void getEventLoops(RoutingContext ctx) {
    json(ctx, new JsonObject().put("loops", watch.eventLoops()));
  }

  private void getRoutes(RoutingContext ctx) {
    String window = ctx.request().getParam("window", LoopWatch.ROUTE_WINDOWS.get(0));
    if (!LoopWatch.ROUTE_WINDOWS.contains(window)) {
      ctx.response().setStatusCode(400).end("window must be one of " + LoopWatch.ROUTE_WINDOWS);
      return;
    }
    json(ctx, watch.routes(window));
  }

  private void getWarnings(RoutingContext ctx) {
    json(ctx, watch.warnings());
  }

  private void reset(RoutingContext ctx) {
    watch.reset();
    ctx.response().setStatusCode(204).end();
  }

  /** Server-sent events, written on the request's context: LoopWatch publishes on its own threads. */
  private void getStream(RoutingContext ctx) {
    HttpServerResponse response = ctx.response().setChunked(true)
      .putHeader("Content-Type", "text/event-stream").putHeader("Cache-Control", "no-cache");
    response.write(": loopwatch\n\n");
    io.vertx.core.Context context = ctx.vertx().getOrCreateContext();
    Runnable unsubscribe = watch.subscribe(event -> context.runOnContext(v -> {
      if (!response.closed() && !response.ended()) {
        response.write("event: " + event.type() + "\ndata: " + event.data().encode() + "\n\n");
      }
    }));
    response.closeHandler(v -> unsubscribe.run());
    response.endHandler(v -> unsubscribe.run());
  }

  private static void json(RoutingContext ctx, JsonObject body) {
    ctx.response().putHeader("Content-Type", "application/json").end(body.encode());
  }
}
