package io.loopscope.loopwatch;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;
import org.HdrHistogram.AbstractHistogram;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Which routes spend the loops' time: per route template (and per event-bus address, and per timer or task
 * once it blocked a loop), how many requests, how long each ran on its loop, waited for and ran on a pool,
 * and took in all. Each thread records into recorders of its own; the watchdog drains them into the
 * since-start figures and a 60-s window of 5-s steps. Entries are found by {@link Route} object and method,
 * never by building a name per request.
 */
final class RouteProfile {

  static final String WINDOW_60S = "60s";
  static final String WINDOW_ALL = "all";
  static final int STEP_SECONDS = 5;
  static final int STEPS = 60 / STEP_SECONDS;
  private static final Object NO_ROUTE = new Object();
  /** A step without requests (never written). */
  private static final RouteRecorder.Figures EMPTY = new RouteRecorder.Figures();

  /** One route (or address, or timer): its recorders and its figures. */
  static final class Entry {
    final String name;
    final String kind;
    private final AtomicReferenceArray<RouteRecorder> recorders = new AtomicReferenceArray<>(RunningWork.MAX_SLOTS);
    private RouteRecorder.Figures sinceStart = new RouteRecorder.Figures(true);
    private RouteRecorder.Figures step = new RouteRecorder.Figures();
    private final Deque<RouteRecorder.Figures> steps = new ArrayDeque<>();
    private long busyMicrosBeforeReset;

    Entry(String name, String kind) {
      this.name = name;
      this.kind = kind;
    }

    /** On the recording thread: its own recorder, made on first use. */
    RouteRecorder recorder(int slot) {
      RouteRecorder recorder = recorders.get(slot);
      if (recorder == null) {
        recorder = new RouteRecorder();
        recorders.set(slot, recorder);
      }
      return recorder;
    }

    private void drain() {
      for (int i = 0; i < recorders.length(); i++) {
        RouteRecorder recorder = recorders.get(i);
        if (recorder != null) {
          recorder.drainInto(step, sinceStart);
        }
      }
    }

    private void nextStep() {
      steps.addLast(step.requests == 0 ? EMPTY : step);
      while (steps.size() >= STEPS) {
        steps.removeFirst();
      }
      if (step.requests > 0) {
        step = new RouteRecorder.Figures();
      }
    }

    private RouteRecorder.Figures window() {
      RouteRecorder.Figures window = new RouteRecorder.Figures();
      steps.forEach(window::add);
      window.add(step);
      return window;
    }

    private void reset() {
      busyMicrosBeforeReset += sinceStart.busySumMicros;
      sinceStart = new RouteRecorder.Figures(true);
      step = new RouteRecorder.Figures();
      steps.clear();
    }
  }

  /** A route's entries by method (a route without a method serves several). */
  private static final class ByMethod {
    private volatile HttpMethod[] methods = new HttpMethod[0];
    private volatile Entry[] entries = new Entry[0];

    Entry get(HttpMethod method) {
      HttpMethod[] known = methods;
      for (int i = 0; i < known.length; i++) {
        if (known[i] == method || known[i].equals(method)) {
          return entries[i];
        }
      }
      return null;
    }

    synchronized Entry add(HttpMethod method, Entry entry) {
      Entry existing = get(method);
      if (existing != null) {
        return existing;
      }
      Entry[] moreEntries = java.util.Arrays.copyOf(entries, entries.length + 1);
      moreEntries[entries.length] = entry;
      HttpMethod[] moreMethods = java.util.Arrays.copyOf(methods, methods.length + 1);
      moreMethods[methods.length] = method;
      entries = moreEntries;
      methods = moreMethods;
      return entry;
    }
  }

  private final long stallMicros;
  private final Map<Object, ByMethod> routes = new ConcurrentHashMap<>();
  private final Map<String, Entry> byName = new ConcurrentHashMap<>();
  private int secondsInStep;

  /** @param stallMs the blocked-thread threshold: requests that held their loop this long are counted apart */
  RouteProfile(long stallMs) {
    this.stallMicros = stallMs * 1_000;
  }

  /** On the request's thread, as it ends: the entry of the route that served it. */
  Entry entry(RoutingContext ctx) {
    Route route = ctx.currentRoute();
    HttpMethod method = ctx.request().method();
    Object key = route == null ? NO_ROUTE : route;
    ByMethod entries = routes.get(key);
    if (entries == null) {
      entries = routes.computeIfAbsent(key, absent -> new ByMethod());
    }
    Entry entry = entries.get(method);
    return entry != null ? entry : entries.add(method, named(RunningWork.routeName(ctx), "http"));
  }

  /** The entry of some other work by name (event-bus addresses, timers); a map lookup, so not per HTTP request. */
  Entry named(String name, String kind) {
    return byName.computeIfAbsent(name, key -> new Entry(name, kind));
  }

  /** On the request's thread: its figures into that thread's recorder for its route. */
  void record(int slot, RequestRecord request) {
    if (request.route != null) {
      request.route.recorder(slot).record(request.loopBusyNanos(), request.endNanos - request.start,
        request.workerQueuedNanos(), request.workerRunNanos());
    }
  }

  /** Work timed as a whole on one dispatch (an event-bus delivery, a stall), recorded by the current thread. */
  void record(int slot, Entry entry, long busyNanos) {
    entry.recorder(slot).record(busyNanos, busyNanos, -1, -1);
  }

  /** On the watchdog, each second: what was recorded goes into the figures; every 5 s the window steps on. */
  synchronized void roll() {
    drain();
    if (++secondsInStep >= STEP_SECONDS) {
      secondsInStep = 0;
      byName.values().forEach(Entry::nextStep);
    }
  }

  private void drain() {
    byName.values().forEach(Entry::drain);
  }

  synchronized void reset() {
    drain();
    byName.values().forEach(Entry::reset);
  }

  /** Each route with requests in {@code window}, most loop busy time first. */
  synchronized List<Figured> figures(String window) {
    drain();
    List<Figured> all = new ArrayList<>();
    for (Entry entry : byName.values()) {
      RouteRecorder.Figures figures = WINDOW_ALL.equals(window) ? entry.sinceStart : entry.window();
      if (figures.requests > 0) {
        all.add(new Figured(entry, figures, stallMicros));
      }
    }
    all.sort(Comparator.comparingLong((Figured figured) -> figured.figures.busySumMicros).reversed()
      .thenComparing(figured -> figured.entry.name));
    return all;
  }

  /** Loop busy time since start, resets or not, in seconds (for the metrics, where it must only grow). */
  synchronized double busySecondsSinceStart(Entry entry) {
    return (entry.busyMicrosBeforeReset + entry.sinceStart.busySumMicros) / 1e6;
  }

  Collection<Entry> entries() {
    return byName.values();
  }

  /** A route and its figures over a window. */
  record Figured(Entry entry, RouteRecorder.Figures figures, long stallMicros) {

    double busyP99Ms() {
      return ms(figures.busy.getValueAtPercentile(99));
    }

    /** Requests that ran {@code ms} or longer on their loop. */
    long busyAtLeast(double ms) {
      long micros = Math.round(ms * 1000);
      long max = figures.busy.getMaxValue();
      return max < micros ? 0 : figures.busy.getCountBetweenValues(micros, max);
    }

    JsonObject toJson() {
      JsonObject json = new JsonObject()
        .put("route", entry.name)
        .put("kind", entry.kind)
        .put("requests", figures.requests)
        .put("loopBusyMs", new JsonObject()
          .put("sum", ms(figures.busySumMicros))
          .put("p50", ms(figures.busy.getValueAtPercentile(50)))
          .put("p99", ms(figures.busy.getValueAtPercentile(99)))
          .put("max", ms(figures.busy.getMaxValue()))
          .put("overThreshold", figures.busy.getMaxValue() < stallMicros ? 0
            : figures.busy.getCountBetweenValues(stallMicros, figures.busy.getMaxValue())));
      if (figures.queued != null && figures.queued.getTotalCount() > 0) {
        json.put("workerQueuedMs", p99(figures.queued)).put("workerRunMs", p99(figures.run));
      }
      return json.put("wallMs", new JsonObject()
        .put("p50", ms(figures.wall.getValueAtPercentile(50)))
        .put("p99", ms(figures.wall.getValueAtPercentile(99))));
    }

    private static JsonObject p99(AbstractHistogram histogram) {
      return new JsonObject().put("p99", ms(histogram.getValueAtPercentile(99)));
    }
  }

  static JsonArray toJson(List<Figured> figures) {
    JsonArray routes = new JsonArray();
    figures.forEach(figured -> routes.add(figured.toJson()));
    return routes;
  }

  /** Microseconds as milliseconds with three decimals. */
  static double ms(long micros) {
    return micros / 1000.0;
  }
}
