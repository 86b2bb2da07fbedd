package io.loopscope.diagnostics;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Times each HTTP request's work on its event loop and names the dispatch it runs in, for the route profile,
 * the stall reports and their victims. A request's loop busy time is its first dispatch (from Vert.x's
 * start of that dispatch to the return of the server's request handler, see {@link #timed}) plus the
 * dispatch that ended its response, when that is another one (from that dispatch's start to the response's
 * end); continuations in between (a reply that only starts another call) are not told apart from other
 * work. When one dispatch serves several requests back to back (Vert.x runs queued requests so, and one read
 * of an upstream connection may end several responses), each is timed from where the previous one ended. Per request: one {@link RequestRecord}, two or three {@code System.nanoTime()} reads, no lock; the
 * figures go to single-writer recorders of the loop's own.
 */
public final class RouteTracker {

  private final RunningWork running;
  private final RouteProfile profile;
  private final Handler<RoutingContext> handler = ctx -> {
    onRequest(ctx);
    ctx.next();
    afterDispatch();
  };

  RouteTracker(RunningWork running, RouteProfile profile) {
    this.running = running;
    this.profile = profile;
  }

  /**
   * The per-request entry point, for the first handler of a router (it does not call {@code ctx.next()}):
   * marks the current dispatch as serving this request and starts timing it.
   */
  public void onRequest(RoutingContext ctx) {
    RunningWork.Slot slot = running.slot();
    RequestRecord previous = slot.firstDispatch;
    if (previous != null && previous.ended) {
      commit(previous); // nobody called afterDispatch: its first dispatch is counted up to its end
    }
    long stamp = VertxInternals.dispatchStart(slot.thread);
    // Vert.x may run several requests back to back in one dispatch: each starts where the one before ended
    long start = stamp == 0 ? System.nanoTime() : slot.lastEndStamp == stamp ? slot.lastEndNanos : stamp;
    RequestRecord record = new RequestRecord(this, ctx, start, stamp);
    slot.work = record;
    slot.dispatchStart = stamp;
    slot.firstDispatch = record;
    VertxInternals.putRequest(record);
    LoopProbe probe = slot.probe();
    if (probe != null) {
      probe.held(record, record.start);
    }
    ctx.addEndHandler(record);
  }

  /** After the server's request handler returned: the first dispatch of the request it began is over. */
  public void afterDispatch() {
    RunningWork.Slot slot = running.slot();
    RequestRecord record = slot.firstDispatch;
    if (record == null) {
      return;
    }
    slot.firstDispatch = null;
    long now = System.nanoTime();
    record.firstDispatchNanos = now - record.start;
    slot.lastEndStamp = record.dispatchStamp;
    slot.lastEndNanos = now;
    if (record.ended) {
      commit(record);
    }
  }

  /** A first router handler: {@link #onRequest}, the rest of the chain, {@link #afterDispatch}. */
  public Handler<RoutingContext> handler() {
    return handler;
  }

  /** The server's request handler, with each request's first dispatch timed to its end (one extra call, no allocation). */
  public Handler<HttpServerRequest> timed(Handler<HttpServerRequest> requests) {
    return request -> {
      requests.handle(request);
      afterDispatch();
    };
  }

  void ended(RequestRecord record) {
    long now = System.nanoTime();
    record.endNanos = now;
    record.route = profile.entry(record.context());
    record.forgetContext();
    RunningWork.Slot slot = running.slot();
    long stamp = VertxInternals.dispatchStart(slot.thread);
    boolean inFirstDispatch = slot.firstDispatch == record;
    if (!inFirstDispatch && stamp != 0 && stamp != record.dispatchStamp) {
      // one dispatch may end several responses (a batch of upstream replies): each from where the last ended
      long continuationStart = slot.lastEndStamp == stamp ? slot.lastEndNanos : stamp;
      record.continuationNanos = now - continuationStart;
      slot.lastEndStamp = stamp;
      slot.lastEndNanos = now;
      LoopProbe probe = slot.probe();
      if (probe != null && record.heldUntilNanos == 0) {
        probe.held(record, stamp); // its continuation came late: the loop was stalled meanwhile
      }
    }
    record.ended = true;
    if (inFirstDispatch) {
      record.firstDispatchNanos = now - record.start; // until afterDispatch says more
    } else {
      commit(record);
    }
  }

  private void commit(RequestRecord record) {
    if (record.committed) {
      return;
    }
    record.committed = true;
    profile.record(running.slot().index(), record);
  }
}
