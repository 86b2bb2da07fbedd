package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.RoutingContext;

/**
 * Once the service is stopping, every HTTP/1.x response says {@code Connection: close}, so keep-alive
 * clients reconnect (to another pod) instead of waiting on this one. It also covers what the server's own
 * graceful shutdown can miss: a connection whose first bytes arrive after the shutdown began (the h2c
 * check has not yet made it an HTTP/1 connection) would otherwise stay open until the drain timeout.
 */
public final class DrainingHandler implements Handler<RoutingContext> {

  private volatile boolean draining;

  @Override
  public void handle(RoutingContext ctx) {
    if (ctx.request().version() != HttpVersion.HTTP_2) {
      ctx.addHeadersEndHandler(v -> {
        if (draining) {
          ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
        }
      });
    }
    ctx.next();
  }

  public void startDraining() {
    draining = true;
  }
}
