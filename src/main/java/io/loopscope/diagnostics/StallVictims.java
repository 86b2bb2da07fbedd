package io.loopscope.diagnostics;

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
 * own dispatch: {@code maxWaitMs} is the largest such bound. Requests that merely arrived in the same few
 * milliseconds after the stall are counted too: at high request rates the count is an upper bound.
 */
final class StallVictims {

  static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(1);
  /** Released episodes kept per loop until a report claims them. */
  private static final int KEPT_PER_LOOP = 64;
  static final String IN_FLIGHT = "(in flight)";

  private final Map<LoopProbe, Deque<LoopProbe.HeldUp>> released = new HashMap<>();

  /** On the watchdog: takes each probe's released episodes. */
  void collect(Iterable<LoopProbe> probes) {
    for (LoopProbe probe : probes) {
      Deque<LoopProbe.HeldUp> kept = released.computeIfAbsent(probe, key -> new ArrayDeque<>());
      for (LoopProbe.HeldUp heldUp = probe.nextReleased(); heldUp != null; heldUp = probe.nextReleased()) {
        kept.addLast(heldUp);
        while (kept.size() > KEPT_PER_LOOP) {
          kept.removeFirst();
        }
      }
    }
  }

  /**
   * On the watchdog: counts the victims of {@code report} (a finished stall of {@code probe}'s loop, or of
   * another thread when {@code probe} is null) once it has settled; true when it did so now.
   */
  boolean count(BlockedReport report, LoopProbe probe, long now) {
    if (report.victims() != null || report.ongoing()) {
      return false;
    }
    if (probe == null) {
      report.victims(json(0, 0, Map.of())); // a worker's stall holds up its pool's queue: see pool-saturated
      return true;
    }
    if (now - report.finishedAtNanos() < SETTLE_NANOS) {
      return false;
    }
    long from = report.startNanos();
    long until = from + report.durationNanos() + SETTLE_NANOS;
    int requests = 0;
    long maxWait = 0;
    Map<String, Integer> routes = new TreeMap<>();
    for (LoopProbe.HeldUp heldUp : released.getOrDefault(probe, new ArrayDeque<>())) {
      if (heldUp.firstNanos < from || heldUp.firstNanos > until) {
        continue;
      }
      requests += heldUp.count();
      for (RequestRecord request : heldUp.requests) {
        maxWait = Math.max(maxWait, request.heldUntilNanos - from);
        RouteProfile.Entry route = request.route;
        routes.merge(route == null ? IN_FLIGHT : route.name, 1, Integer::sum);
      }
    }
    report.victims(json(requests, maxWait, routes));
    return true;
  }

  void reset() {
    released.clear();
  }

  private static JsonObject json(int requests, long maxWaitNanos, Map<String, Integer> routes) {
    JsonObject byRoute = new JsonObject();
    routes.forEach(byRoute::put);
    return new JsonObject().put("requests", requests)
      .put("maxWaitMs", Math.round(maxWaitNanos / 100_000.0) / 10.0)
      .put("routes", byRoute);
  }
}
