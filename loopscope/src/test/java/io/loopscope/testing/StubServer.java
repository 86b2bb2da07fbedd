package io.loopscope.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A plain HTTP server on 127.0.0.1 and a port the OS picks, for measuring the bench itself:
 * {@code /ok}, {@code /status/{code}}, {@code /close} (drops the connection), {@code /slow?ms=} and
 * {@code /stall}: from its {@code stallAt}-th request on, for one second, nothing is answered
 * until that second is over (the event loop stays free; only the answers wait).
 */
public final class StubServer {

  private final Vertx vertx;
  private final long stallAt;
  private final long stallMs;
  private final AtomicLong stallRequests = new AtomicLong();
  private volatile long stallEndsAt;
  private HttpServer server;

  private StubServer(Vertx vertx, long stallAt, long stallMs) {
    this.vertx = vertx;
    this.stallAt = stallAt;
    this.stallMs = stallMs;
  }

  public static StubServer start(Vertx vertx) {
    return start(vertx, Long.MAX_VALUE, 0);
  }

  public static StubServer start(Vertx vertx, long stallAt, long stallMs) {
    StubServer stub = new StubServer(vertx, stallAt, stallMs);
    stub.server = vertx.createHttpServer().requestHandler(stub::handle).listen(0, "127.0.0.1").await();
    return stub;
  }

  public String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  public Future<Void> close() {
    return server.close();
  }

  private void handle(HttpServerRequest request) {
    String path = request.path();
    if (path.startsWith("/status/")) {
      request.response().setStatusCode(Integer.parseInt(path.substring("/status/".length()))).end("status");
    } else if (path.equals("/close")) {
      request.connection().close();
    } else if (path.equals("/slow")) {
      vertx.setTimer(Long.parseLong(request.getParam("ms", "100")), t -> request.response().end("slow"));
    } else if (path.equals("/stall")) {
      stall(request);
    } else {
      request.response().end("ok");
    }
  }

  private void stall(HttpServerRequest request) {
    long now = System.currentTimeMillis();
    if (stallRequests.incrementAndGet() == stallAt) {
      stallEndsAt = now + stallMs;
    }
    long wait = stallEndsAt - now;
    if (wait > 0) {
      vertx.setTimer(wait, t -> request.response().end("late"));
    } else {
      request.response().end("ok");
    }
  }
}
