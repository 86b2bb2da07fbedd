package io.loopscope.loopwatch;

import io.opentelemetry.api.trace.Span;
import io.vertx.ext.web.RoutingContext;

/**
 * Times each HTTP request's work on its event loop and names the dispatch it runs in, for the route profile,
 * the stall reports and their victims. A request's loop busy time is its first dispatch (from Vert.x's
 * start of that dispatch to the return of the router's first handler, which has run the route's handlers by
 * then, see {@link #afterDispatch}) plus the dispatch that ended its response, when that is another one (from that dispatch's start to the response's
 * end); continuations in between (a reply that only starts another call) are not told apart from other
 * work. When one dispatch serves several requests back to back (Vert.x runs queued requests so, and one read
 * of an upstream connection may end several responses), each is timed from where the previous one ended.
 * A response that ends within its first dispatch (most do) counts that whole dispatch as its wall time too.
 * Per request: one {@link RequestRecord} (made by {@link WatchedHttpServerMetrics}, which also reports the
 * end, so no end handler is registered), one {@code System.nanoTime()} read (two when the response ends in a
 * later dispatch), no lock, no full fence but the recorder's; the figures go to single-writer recorders of
 * the loop's own. With tracing on, the record also keeps the request's server span (read from its Vert.x
 * context: no allocation), and only the span's ids once the request has ended.
 */
final class RouteTracker {

  private final RunningWork running;
  private final RouteProfile profile;
  private final boolean traced;

  /** @param traced Vert.x was built with a tracer: each request's server span is kept with its record */
  RouteTracker(RunningWork running, RouteProfile profile, boolean traced) {
    this.running = running;
    this.profile = profile;
    this.traced = traced;
  }

  /**
   * The per-request entry point, for the first handler of a router (it does not call {@code ctx.next()}):
   * marks the current dispatch as serving this request and starts timing it.
   */
  public void onRequest(RoutingContext ctx) {
    RunningWork.Slot slot = running.slot();
    RequestRecord previous = slot.firstDispatch;
    if (previous != null && previous.ended) { // nobody called afterDispatch: its first dispatch is counted up to now
      long now = System.nanoTime();
      previous.firstDispatchNanos = now - previous.start;
      previous.endNanos = now;
      commit(previous);
    }
    long stamp = VertxInternals.dispatchStart(slot.thread);
    RequestRecord record = VertxInternals.requestRecord(ctx.request());
    if (record != null && record.begun()) {
      slot.stamp(record, stamp); // rerouted: the same request, timed once
      return;
    }
    if (record == null) { // a Vert.x built without LoopWatch's metrics: the end comes through the context
      record = new RequestRecord(null);
      ctx.addEndHandler(record);
    }
    // Vert.x may run several requests back to back in one dispatch: each starts where the one before ended
    long start = stamp == 0 ? System.nanoTime() : slot.lastEndStamp == stamp ? slot.lastEndNanos : stamp;
    record.begin(this, ctx, start, stamp);
    if (traced) {
      // the server span Vert.x's tracer put in the request's context: one field store, no allocation
      record.trace = Span.current();
    }
    slot.stamp(record, stamp);
    slot.firstDispatch = record;
    VertxInternals.putRequest(record);
    LoopProbe probe = slot.probe();
    if (probe != null) {
      probe.held(record, record.start);
    }
  }

  /** After the first router handler's {@code next} returned: the first dispatch of the request it began is over. */
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
      record.endNanos = now; // answered within this dispatch: its wall time is the dispatch, to its end
      commit(record);
    }
  }

  void ended(RequestRecord record) {
    record.route = profile.entry(record.context());
    record.forgetContext();
    if (traced) {
      record.forgetSpan();
    }
    record.ended = true;
    RunningWork.Slot slot = running.slot();
    if (slot.firstDispatch == record) {
      return; // ended within its first dispatch: afterDispatch times it, with one clock read for both
    }
    long now = System.nanoTime();
    record.endNanos = now;
    long stamp = VertxInternals.dispatchStart(slot.thread);
    if (stamp != 0 && stamp != record.dispatchStamp) {
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
    commit(record);
  }

  private void commit(RequestRecord record) {
    if (record.committed) {
      return;
    }
    record.committed = true;
    profile.record(running.slot().index(), record);
  }
}
