package io.loopscope.bench;

import io.loopscope.concurrency.Elapsed;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * The yardstick for performance comparisons: a bare Vert.x {@code HttpServer} with
 * {@code GET /test/async?ms=N} semantics and nothing else — no router, no metrics, no LoopWatch,
 * no problem bodies. Whatever loopscope does above this costs its features.
 */
public final class BaselineServer extends VerticleBase {

  static final int MAX_DELAY_MS = 10_000;

  private final String host;
  private final int port;
  private HttpServer server;

  public BaselineServer(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer()
      .requestHandler(this::handle)
      .listen(port == 0 ? -1 : port, host)
      .onSuccess(listening -> server = listening);
  }

  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest request) {
    if (!"/test/async".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    int ms = parseMs(request.getParam("ms"));
    if (ms < 0) {
      request.response().setStatusCode(400).end();
      return;
    }
    long start = System.nanoTime();
    if (ms == 0) {
      answer(request, start);
    } else {
      vertx.setTimer(ms, id -> answer(request, start));
    }
  }

  private static void answer(HttpServerRequest request, long start) {
    request.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json; charset=utf-8")
      .end(new JsonObject().put("data", "ok").put("waitedMs", Elapsed.msSince(start)).toBuffer());
  }

  static int parseMs(String text) {
    if (text == null || text.isEmpty()) {
      return 100;
    }
    try {
      int ms = Integer.parseInt(text);
      return ms > MAX_DELAY_MS ? -1 : ms;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
