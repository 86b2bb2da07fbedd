package io.loopscope.http;

import io.loopscope.loopwatch.LoopWatch;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The API router's first handler: what every request needs before its route. LoopWatch's route stamp
 * comes first, so a stall anywhere in the request is named after its route; then the connection guard's
 * bookkeeping (and {@code Connection: close} while draining), then the request id. One handler instead of
 * four, because each router handler costs a route match and a call through the router, on every request.
 */
final class RequestStart implements Handler<RoutingContext> {

  private final LoopWatch loopWatch;
  private final ConnectionGuard guard;
  private final RequestIdHandler requestIds;

  /** @param loopWatch null when diagnostics are off */
  RequestStart(LoopWatch loopWatch, ConnectionGuard guard, RequestIdHandler requestIds) {
    this.loopWatch = loopWatch;
    this.guard = guard;
    this.requestIds = requestIds;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (loopWatch != null) {
      loopWatch.requestStarted(ctx);
    }
    guard.requestStarted(ctx);
    requestIds.requestStarted(ctx);
    ctx.next();
    if (loopWatch != null) {
      loopWatch.firstDispatchEnded(); // the route's handlers ran within next: what they did on this loop is timed
    }
  }
}
