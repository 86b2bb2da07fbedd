package io.loopscope.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;

/**
 * Runs the client's request path a few thousand times against a throwaway server on loopback before the
 * first target, so class loading and JIT compilation of the bench itself are not charged to that target
 * (the article's burst opens its connections inside the measurement, and so does ours; only the JVM is warmed).
 */
final class ClientWarmup {

  private static final long REQUESTS = 3_000;
  private static final int CONNECTIONS = 8;

  private ClientWarmup() {
  }

  static Future<Void> run(Vertx vertx, LoadSettings settings) {
    return vertx.createHttpServer()
      .requestHandler(request -> request.response().end("ok"))
      .listen(0, "127.0.0.1")
      .compose(server -> load(vertx, server, settings).eventually(server::close));
  }

  private static Future<Void> load(Vertx vertx, HttpServer server, LoadSettings settings) {
    Endpoint local = Endpoint.parse("http://127.0.0.1:" + server.actualPort() + "/");
    LoadSettings burst = LoadSettings.burst(REQUESTS, CONNECTIONS).withTimeout(settings.timeout())
      .withEventLoops(settings.eventLoops());
    WebClient client = BenchRunner.newClient(vertx, local, burst);
    return new LoadRun(vertx, client, local, burst).run()
      .<Void>mapEmpty()
      .eventually(() -> {
        client.close();
        return Future.succeededFuture();
      });
  }
}
