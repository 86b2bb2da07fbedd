package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

/**
 * Once the service is stopping, every HTTP/1.x response says {@code Connection: close}, so keep-alive
 * clients reconnect (to another pod) instead of waiting on this one, and a request that arrives on an open
 * connection after the shutdown began is answered and then closes it, rather than keeping it until the drain
 * timeout. Both servers speak HTTP/1.1 only.
 */
public final class DrainingHandler implements Handler<RoutingContext> {

  private volatile boolean draining;

  @Override
  public void handle(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> {
      if (draining) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    });
    ctx.next();
  }

  public void startDraining() {
    draining = true;
  }
}
