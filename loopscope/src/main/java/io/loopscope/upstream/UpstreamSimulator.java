package io.loopscope.upstream;

import io.loopscope.core.IsolatedVertx;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.core.StartupException;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A jsonplaceholder-like upstream ({@code GET /posts/{id}}) with latency and failure knobs.
 * It runs on its own Vert.x instance: the bad example blocks an API event loop while it waits
 * for this server, which would deadlock if both shared that loop.
 */
public final class UpstreamSimulator extends VerticleBase {

  static final int MAX_DELAY_MS = 600_000;

  private final LoopscopeConfig.Upstream config;
  private final UpstreamStats stats = new UpstreamStats();
  private HttpServer server;

  private UpstreamSimulator(LoopscopeConfig.Upstream config) {
    this.config = config;
  }

  /** Starts the simulator on a Vert.x instance of its own. */
  public static Future<UpstreamSimulator> launch(LoopscopeConfig.Upstream config) {
    return IsolatedVertx.create("upstream", new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(1))
      .compose(own -> {
        UpstreamSimulator simulator = new UpstreamSimulator(config);
        return own.deployVerticle(simulator)
          .map(id -> simulator)
          .recover(failure -> own.close().transform(closed -> Future.failedFuture(failure)));
      });
  }

  @Override
  public Future<?> start() {
    Router router = Router.router(vertx);
    router.get("/posts/:id").handler(this::getPost);
    router.get("/stats").handler(ctx -> json(ctx, 200, stats.toJson()));
    router.post("/stats/reset").handler(ctx -> {
      stats.reset();
      json(ctx, 200, stats.toJson());
    });
    return vertx.createHttpServer()
      .requestHandler(router)
      .listen(config.port(), config.host())
      .onSuccess(s -> server = s)
      .recover(StartupException.cannotListen("upstream.port", config.host(), config.port()));
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    String host = config.host().equals("0.0.0.0") ? "127.0.0.1" : config.host();
    return "http://" + host + ":" + port();
  }

  /** Stops the simulator and its Vert.x instance. */
  public Future<Void> shutdown() {
    return vertx.close();
  }

  private void getPost(RoutingContext ctx) {
    Integer id = intParam(ctx.pathParam("id"), 0, Integer.MAX_VALUE);
    Integer ms = ctx.queryParam("ms").isEmpty() ? Integer.valueOf(config.latencyMs()) : intParam(ctx.queryParam("ms").get(0), 0, MAX_DELAY_MS);
    if (id == null || ms == null) {
      json(ctx, 400, new JsonObject().put("error", "id and ms must be non-negative integers"));
      return;
    }
    boolean fail = ctx.queryParam("fail").contains("true")
      || (config.failureRate() > 0 && ThreadLocalRandom.current().nextDouble() < config.failureRate());
    stats.started();
    if (ms == 0) {
      answer(ctx, id, fail);
      return;
    }
    long timer = vertx.setTimer(ms, t -> answer(ctx, id, fail));
    // the client went away before the answer (a cancelled call resets its request): stop working for it
    ctx.response().closeHandler(closed -> {
      if (vertx.cancelTimer(timer)) {
        stats.cancelled();
      }
    });
  }

  private void answer(RoutingContext ctx, int id, boolean fail) {
    if (ctx.response().closed()) {
      stats.cancelled();
      return;
    }
    if (fail) {
      stats.failed();
      json(ctx, 500, new JsonObject().put("error", "simulated failure"));
      return;
    }
    stats.completed();
    json(ctx, 200, post(id));
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8").end(body.toBuffer());
  }

  /** What the simulator has seen since start or the last reset. */
  public JsonObject stats() {
    return stats.toJson();
  }

  static JsonObject post(int id) {
    return new JsonObject()
      .put("userId", id % 10 + 1)
      .put("id", id)
      .put("title", "sunt aut facere repellat provident occaecati excepturi optio reprehenderit")
      .put("body", "quia et suscipit suscipit recusandae consequuntur expedita et cum reprehenderit molestiae");
  }

  private static Integer intParam(String text, int min, int max) {
    try {
      int value = Integer.parseInt(text);
      return value < min || value > max ? null : value;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
