package io.loopscope.http;

import io.loopscope.core.StartupException;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

/** How the API and admin servers listen: the same options, connection guard, error bodies and start-up failure for both. */
final class HttpListener {

  private HttpListener() {
  }

  /**
   * Serves {@code router} on {@code host:bindPort}; a failure to listen names the config key and the
   * configured {@code port}. Both servers speak HTTP/1.1 only: with Vert.x's default h2c upgrade, a
   * client that asks for it (curl --http2, the JDK HttpClient) got the whole HTTP/2 response right behind
   * the 101, and one larger than its upgrade buffer (/metrics, 40 KB) was never read: the request hung.
   */
  static Future<HttpServer> listen(Vertx vertx, Handler<HttpServerRequest> requests, ConnectionGuard guard, String key, String host, int port,
                                   int bindPort) {
    return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
      .connectionHandler(guard::accept)
      .requestHandler(requests)
      .invalidRequestHandler(Problems::invalidRequest)
      .listen(bindPort, host)
      .recover(StartupException.cannotListen(key, host, port));
  }
}
