package io.loopscope.loopwatch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Whom a stall hurt: the requests its loop dispatched while waking from it (read from sockets the stall left
 * unread, or continued by timers and replies that came due meanwhile), as its {@link LoopProbe} saw them
 * until the loop beat on time again. Counted a second after the stall is over, when those requests have
 * mostly ended and their routes are known. A held-up request waited at most from the stall's start to its
 * own dispatch: {@code maxWaitMs} is the largest such bound. A request is one stall's victim: the last stall
 * of its loop that began before its dispatch. Requests that merely arrived in the same few
 * milliseconds after the stall are counted too: at high request rates the count is an upper bound. With
 * tracing on, {@code traceIds} names the traces of the first few victims of each route.
 */
final class StallVictims {

  static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Held-up requests kept per loop until the reports claim them. */
  private static final int KEPT_PER_LOOP = 20_000;
  static final String IN_FLIGHT = "(in flight)";
  /** The figures of a stall still ongoing: the requests it holds up are dispatched only once it is over. */
  static final JsonObject NONE_YET = json(0, 0, Map.of(), false);
  /** Victims' trace ids kept per route: enough to open a few of them. */
  static final int TRACE_IDS_PER_ROUTE = 3;

  private final Map<LoopProbe, Deque<RequestRecord>> held = new HashMap<>();
  private final boolean traced;

  /** @param traced whether requests carry their server span: then victims name their traces */
  StallVictims(boolean traced) {
    this.traced = traced;
  }

  /** On the watchdog: takes each probe's held-up requests. */
  void collect(Iterable<LoopProbe> probes) {
    for (LoopProbe probe : probes) {
      Deque<RequestRecord> kept = held.computeIfAbsent(probe, key -> new ArrayDeque<>());
      for (RequestRecord request = probe.nextHeld(); request != null; request = probe.nextHeld()) {
        kept.addLast(request);
        if (kept.size() > KEPT_PER_LOOP) {
          kept.removeFirst();
        }
      }
    }
  }

  /**
   * On the watchdog: counts the victims of {@code report} (a finished stall of {@code probe}'s loop, or of
   * another thread when {@code probe} is null): the held-up requests its loop dispatched after it began and
   * before the next stall of that loop began ({@code nextStallNanos}), within a second of its end. Until that
   * second is over the figures are those seen so far ({@code counted: false}); then they are final. True when
   * it counted them for good now.
   */
  boolean count(BlockedReport report, LoopProbe probe, long nextStallNanos, long now) {
    if (report.victimsCounted() || report.ongoing()) {
      return false;
    }
    if (probe == null) {
      report.victims(json(0, 0, Map.of(), true)); // a worker's stall holds up its pool's queue: see pool-saturated
      return true;
    }
    boolean settled = now - report.finishedAtNanos() >= SETTLE_NANOS;
    long from = report.startNanos();
    long until = Math.min(from + report.durationNanos() + SETTLE_NANOS, nextStallNanos);
    int requests = 0;
    long maxWait = 0;
    Map<String, Integer> routes = new TreeMap<>();
    JsonObject traceIds = new JsonObject();
    for (RequestRecord request : held.getOrDefault(probe, new ArrayDeque<>())) {
      if (request.heldUntilNanos <= from || request.heldUntilNanos > until) {
        continue;
      }
      requests++;
      maxWait = Math.max(maxWait, request.heldUntilNanos - from);
      RouteProfile.Entry route = request.route;
      String name = route == null ? IN_FLIGHT : route.name;
      routes.merge(name, 1, Integer::sum);
      if (traced) {
        keepTraceId(traceIds, name, request);
      }
    }
    JsonObject victims = json(requests, maxWait, routes, settled);
    report.victims(traced ? victims.put("traceIds", traceIds) : victims);
    return settled;
  }

  /** The first few trace ids of each route's victims. */
  private static void keepTraceId(JsonObject traceIds, String route, RequestRecord request) {
    JsonArray ids = traceIds.getJsonArray(route);
    if (ids == null) {
      ids = new JsonArray();
      traceIds.put(route, ids);
    }
    String traceId = StallSpans.traceId(request.trace);
    if (traceId != null && ids.size() < TRACE_IDS_PER_ROUTE) {
      ids.add(traceId);
    }
  }

  void reset() {
    held.clear();
  }

  private static JsonObject json(int requests, long maxWaitNanos, Map<String, Integer> routes, boolean counted) {
    JsonObject byRoute = new JsonObject();
    routes.forEach(byRoute::put);
    return new JsonObject().put("requests", requests)
      .put("maxWaitMs", Math.round(maxWaitNanos / 100_000.0) / 10.0)
      .put("routes", byRoute)
      .put("counted", counted);
  }
}
