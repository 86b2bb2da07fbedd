package io.loopscope.diagnostics;

import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * One HTTP request as LoopWatch times it: the one object it allocates per request, also the request's end
 * handler. Written by the request's event loop, except the worker figures, which the pool thread that ran
 * the request's blocking work writes before the loop sees that work's result.
 */
final class RequestRecord implements Handler<AsyncResult<Void>> {

  private final RouteTracker tracker;
  /** Null once the request has ended: held-up records are kept for victim counts and must not keep the request alive. */
  private volatile RoutingContext ctx;
  /** Start of the request's first dispatch (System.nanoTime). */
  final long start;
  /** Vert.x's stamp of that dispatch (0 when the request was not dispatched by Vert.x). */
  final long dispatchStamp;
  long firstDispatchNanos = -1;
  long continuationNanos;
  long endNanos;
  boolean ended;
  boolean committed;
  RouteProfile.Entry route;
  /** When the loop, waking from a stall, dispatched this request (0: it was not held up). */
  long heldUntilNanos;
  volatile long workerQueuedNanos = -1;
  volatile long workerRunNanos = -1;

  RequestRecord(RouteTracker tracker, RoutingContext ctx, long start, long dispatchStamp) {
    this.tracker = tracker;
    this.ctx = ctx;
    this.start = start;
    this.dispatchStamp = dispatchStamp;
  }

  RoutingContext context() {
    return ctx;
  }

  /** The route serving this request, from any thread: from the context while in flight, else from the profile entry. */
  String routeName() {
    RoutingContext serving = ctx;
    if (serving != null) {
      return RunningWork.routeName(serving);
    }
    RouteProfile.Entry entry = route;
    return entry != null ? entry.name : "(ended)";
  }

  /** The request has ended and its route is known: drop the context (and with it the request and response). */
  void forgetContext() {
    ctx = null;
  }

  /** Blocking work this request submitted waited {@code queuedNanos} in its pool, then ran {@code runNanos}. */
  void workerRan(long queuedNanos, long runNanos) {
    workerQueuedNanos = Math.max(workerQueuedNanos, queuedNanos);
    workerRunNanos = Math.max(workerRunNanos, runNanos);
  }

  long loopBusyNanos() {
    return Math.max(0, firstDispatchNanos) + continuationNanos;
  }

  /** The response ended (or the connection closed first). */
  @Override
  public void handle(AsyncResult<Void> done) {
    tracker.ended(this);
  }
}
