package io.loopscope.loopwatch;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * One HTTP request as LoopWatch times it: the one object it allocates per request. It is the request's
 * metric in Vert.x's metrics SPI ({@link WatchedHttpServerMetrics}), which reports the response's end on the
 * connection's loop; for a Vert.x built without LoopWatch's metrics it is the request's end handler instead.
 * Written by the request's event loop, except the worker figures, which the pool thread that ran the
 * request's blocking work writes before the loop sees that work's result.
 */
final class RequestRecord implements Handler<AsyncResult<Void>> {

  /** What the metrics Vert.x was built with keep for this request (vertx-micrometer's), or null. */
  final Object innerMetric;
  /** Set when a tracked router began timing this request; requests no tracked router saw are not profiled. */
  private RouteTracker tracker;
  /**
   * Null once the request has ended: held-up records are kept for victim counts and must not keep the request
   * alive. Plain: the watchdog reads it only after the slot's stamp, which is stored after it (a release store).
   */
  private RoutingContext ctx;
  /**
   * The request's trace while tracing is on, else null: its server {@link Span} while in flight (a stall adds its
   * event there), only that span's {@code SpanContext} once the request has ended (held-up records are kept for
   * victim counts and must not keep a span, with its attributes and events, alive). Plain, like {@link #ctx}:
   * stored on the loop before the slot's stamp, read by the watchdog after it.
   */
  Object trace;
  /** Start of the request's first dispatch (System.nanoTime). */
  long start;
  /** Vert.x's stamp of that dispatch (0 when the request was not dispatched by Vert.x). */
  long dispatchStamp;
  long firstDispatchNanos = -1;
  long continuationNanos;
  long endNanos;
  boolean ended;
  boolean committed;
  RouteProfile.Entry route;
  /** When the loop, waking from a stall, dispatched this request (0: it was not held up). */
  long heldUntilNanos;
  /** The worker figures plus one, so that a new record needs no volatile store: 0 while no pool ran its work. */
  private volatile long workerQueuedPlusOne;
  private volatile long workerRunPlusOne;

  /** The request's method, when known from the metrics. */
  private final String method;
  /** The route vertx-web last dispatched it to, for a router without LoopWatch's handler (null: none seen). */
  private volatile String routed;

  RequestRecord(Object innerMetric) {
    this(innerMetric, null);
  }

  RequestRecord(Object innerMetric, String method) {
    this.innerMetric = innerMetric;
    this.method = method;
  }

  /** vertx-web dispatches this request to the route {@code route} (its path or name). */
  void routed(String route) {
    routed = route; // named when read: nothing allocated per request
  }

  /** On the request's loop, in its first router handler: timing starts. */
  void begin(RouteTracker tracker, RoutingContext ctx, long start, long dispatchStamp) {
    this.tracker = tracker;
    this.ctx = ctx;
    this.start = start;
    this.dispatchStamp = dispatchStamp;
  }

  /** Whether a tracked router began timing this request (a rerouted request passes the first handler twice). */
  boolean begun() {
    return tracker != null;
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
    if (entry != null) {
      return entry.name;
    }
    String seen = routed;
    return seen == null ? "(ended)" : method == null ? seen : method + " " + seen;
  }

  /** The request has ended and its route is known: drop the context (and with it the request and response). */
  void forgetContext() {
    ctx = null;
  }

  /** The request has ended: only its span's ids are kept. */
  void forgetSpan() {
    if (trace instanceof Span span) {
      trace = span.getSpanContext();
    }
  }

  /** Blocking work this request submitted waited {@code queuedNanos} in its pool, then ran {@code runNanos}. */
  void workerRan(long queuedNanos, long runNanos) {
    workerQueuedPlusOne = Math.max(workerQueuedPlusOne, queuedNanos + 1);
    workerRunPlusOne = Math.max(workerRunPlusOne, runNanos + 1);
  }

  /** The longest wait of its blocking work in a pool's queue; -1 when it used no pool. */
  long workerQueuedNanos() {
    return workerQueuedPlusOne - 1;
  }

  /** The longest run of its blocking work on a pool thread; -1 when it used no pool. */
  long workerRunNanos() {
    return workerRunPlusOne - 1;
  }

  long loopBusyNanos() {
    return Math.max(0, firstDispatchNanos) + continuationNanos;
  }

  /** On the connection's loop: the response ended, or the request was reset (its connection closed first). */
  void responseEnded() {
    RouteTracker timing = tracker;
    if (timing != null && !ended) {
      timing.ended(this);
    }
  }

  /** As the request's end handler, for a Vert.x built without LoopWatch's metrics. */
  @Override
  public void handle(AsyncResult<Void> done) {
    responseEnded();
  }
}
