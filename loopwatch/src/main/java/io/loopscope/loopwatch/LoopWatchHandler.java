package io.loopscope.loopwatch;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * A router's first handler ({@link LoopWatch#handler()}): the request is named after its route in stall reports
 * and timed on its loop for the route profile. Without it, a Vert.x built with LoopWatch's metrics still names the
 * route vertx-web reports to the metrics, but times nothing per route.
 */
final class LoopWatchHandler implements Handler<RoutingContext> {

  private final LoopWatch watch;

  LoopWatchHandler(LoopWatch watch) {
    this.watch = watch;
  }

  @Override
  public void handle(RoutingContext ctx) {
    watch.requestStarted(ctx);
    ctx.next();
    watch.firstDispatchEnded(); // the route's handlers ran within next: what they did on this loop is timed
  }
}
