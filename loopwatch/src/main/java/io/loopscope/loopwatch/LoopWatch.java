package io.loopscope.loopwatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.micrometer.core.instrument.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The diagnostics verticle: it wires LoopWatch's parts and answers for them. {@link StallCatcher} turns
 * Vert.x's blocked-thread checker into one report per stall ({@link ReportStore}), named by
 * {@link RunningWork} and blamed on its {@link Culprit}; {@link LoopProbe}s measure each loop's lag and see
 * whom a stall held up ({@link StallVictims}); {@link RouteTracker} times each request on its loop into the
 * {@link RouteProfile}; {@link PoolWatch} sees every pool's queue; {@link Warnings} keeps the lints;
 * {@link LoopHealth}, {@link LoopWatchMetrics} and {@link EventStream} show it all. Every touch of Vert.x
 * internals is in {@link VertxInternals}. The watchdog thread and the checker's thread only read what the
 * watched threads wrote; neither ever schedules work on a loop. Virtual threads, which Vert.x's checker
 * never sees, are watched by {@link VirtualThreadWatch} on the same watchdog, into the same reports.
 */
public final class LoopWatch extends VerticleBase {

  public static final String EVENT_LOOP_POOL = StallCatcher.EVENT_LOOP_POOL;
  static final int BUSY_ROUTE_MIN_REQUESTS = 20;
  static final long REPEATED_STALL_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long VICTIMS_SO_FAR_MS = 100;
  /** How far the loops' CPU samples reach back beyond the threshold: a stall detected after a pause this long is still judged by them. */
  private static final long CPU_KEPT_NANOS = TimeUnit.SECONDS.toNanos(2);
  /** The windows {@link #routes(String)} knows, the default first. */
  public static final List<String> ROUTE_WINDOWS = List.of(RouteProfile.WINDOW_60S, RouteProfile.WINDOW_ALL);
  private static final Logger LOG = LoggerFactory.getLogger(LoopWatch.class);

  /** One thing the dashboard's stream shows: {@code lag} each second, {@code blocked} as a report starts and ends, {@code warning} as one is raised. */
  public record Event(String type, JsonObject data) {
  }

  private final LoopWatchMetrics metrics;
  private final MeterRegistry registry;
  private final List<LoopProbe> probes = new ArrayList<>();
  private final RunningWork running = new RunningWork(this::probeOf);
  private final RouteProfile profile;
  private final RouteTracker routeTracker;
  private final StallVictims victims;
  /** A finished stall's victims are not final yet (else {@link #everySecond} alone counts them, as it does anyway). */
  private volatile boolean victimsPending;
  private final EventStream events = new EventStream();
  private final Warnings warnings = new Warnings(warning -> events.publish(new Event("warning", warning)));
  private final Handler<DeliveryContext<Object>> eventBusTracker = this::onDelivery;
  private final LoopWatchOptions config;
  private static final Map<Vertx, LoopWatch> RUNNING = new ConcurrentHashMap<>();
  private ReportStore store;
  private StallCatcher catcher;
  private LoopHealth health;
  /** The metrics Vert.x was built with, when LoopWatch's: its pools and HTTP servers report here. */
  private volatile WatchedVertxMetrics watched;
  /** A router has LoopWatch's first handler (plain: set once, a stale read costs one more stamp). */
  private boolean handlerUsed;
  /** This LoopWatch's application packages, while it runs ({@link ApplicationFrames}). */
  private Object applicationFrames;
  private ScheduledExecutorService watchdog;
  private ProcessPauses pauses;
  private VirtualThreadWatch virtualThreads;

  /**
   * @param registry where the lag and blocked metrics go; null for none
   * @param options the thresholds, known before start so that routers can take the route tracker
   */
  public LoopWatch(MeterRegistry registry, LoopWatchOptions options) {
    this.registry = registry;
    this.config = new LoopWatchOptions(options);
    this.metrics = new LoopWatchMetrics(registry, config.getMetricPrefix());
    this.profile = new RouteProfile(config.getBlockThresholdMs());
    this.routeTracker = new RouteTracker(running, profile, config.isTraced());
    this.victims = new StallVictims(config.isTraced());
  }

  /**
   * The one-line adoption: a Vert.x built with {@code vertxOptions} set for LoopWatch ({@link #configure}, with its
   * pool and request watch, {@link #metricsFactory}) and a LoopWatch deployed on it; {@link #of(Vertx)} finds it.
   * Metrics go to Micrometer's global registry.
   */
  public static Vertx vertx(VertxOptions vertxOptions, LoopWatchOptions options) {
    Vertx vertx = Vertx.builder()
      .with(configure(vertxOptions, options))
      .withMetrics(metricsFactory(null, options))
      .build();
    if (options.isEnabled()) {
      vertx.deployVerticle(new LoopWatch(Metrics.globalRegistry, options))
        .onFailure(failure -> LOG.error("LoopWatch did not start", failure));
    }
    return vertx;
  }

  /** The LoopWatch running on {@code vertx}, or null when none has started there. */
  public static LoopWatch of(Vertx vertx) {
    return RUNNING.get(vertx);
  }

  /** A handler to put first on a router ({@code router.route().handler(watch.handler())}): requests are named and timed. */
  public Handler<RoutingContext> handler() {
    return new LoopWatchHandler(this);
  }

  /** A health procedure ({@code HealthChecks.register("loopwatch", watch.healthProcedure())}): DOWN while a loop is stalled too long. */
  public Handler<Promise<Status>> healthProcedure() {
    return promise -> promise.complete(readiness());
  }

  /** Vert.x's checker uses our thresholds and ticks every check interval, so it and LoopWatch agree. */
  public static VertxOptions configure(VertxOptions options, LoopWatchOptions diagnostics) {
    if (!diagnostics.isEnabled()) {
      return options;
    }
    VertxInternals.init();
    return options
      .setBlockedThreadCheckInterval(diagnostics.getCheckIntervalMs())
      .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      .setMaxEventLoopExecuteTime(diagnostics.getBlockThresholdMs())
      .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setMaxWorkerExecuteTime(diagnostics.getWorkerBlockThresholdMs())
      .setMaxWorkerExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setWarningExceptionTime(diagnostics.getBlockThresholdMs())
      .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
  }

  /**
   * The metrics factory to build Vert.x with, so LoopWatch sees every pool's queue: {@code inner} (null when
   * metrics are off) with LoopWatch's pool watch around it; {@code inner} as it is when diagnostics are off.
   */
  public static VertxMetricsFactory metricsFactory(VertxMetricsFactory inner, LoopWatchOptions diagnostics) {
    if (!diagnostics.isEnabled()) {
      return inner;
    }
    VertxInternals.init();
    return new WatchedMetricsFactory(inner);
  }

  @Override
  public Future<?> start() {
    RUNNING.put(vertx, this);
    applicationFrames = ApplicationFrames.use(config.getApplicationPackages());
    store = new ReportStore(config.getMaxReports());
    long tickNanos = TimeUnit.MILLISECONDS.toNanos(config.getCheckIntervalMs());
    // CPU samples reach back past a stall's start when it is detected: the threshold, a tick and a long pause
    LoopCpuTime cpuTime = new LoopCpuTime(TimeUnit.MILLISECONDS.toNanos(config.getBlockThresholdMs()) + CPU_KEPT_NANOS, tickNanos);
    pauses = new ProcessPauses(config.getCheckIntervalMs(),
      now -> probes.forEach(probe -> cpuTime.sample(probe.thread(), now)), this::processPaused);
    catcher = new StallCatcher(running, store, this::probeOf, new OwnTime(pauses, cpuTime), config.getReportsPath(),
      this::stallStarted,
      this::stallEnded);
    int index = 0;
    for (EventExecutor loop : VertxInternals.eventLoops(vertx)) {
      probes.add(new LoopProbe(index++, loop, config.getCheckIntervalMs(), config.getBlockThresholdMs(), registry,
        config.getMetricPrefix()));
    }
    health = new LoopHealth(probes, this::runningNow, config.getReadyMaxStallMs(), config.getLiveMaxStallMs());
    probes.forEach(LoopProbe::start);
    pauses.start();
    vertx.eventBus().addInboundInterceptor(eventBusTracker);
    VertxInternals.onBlockedThread(vertx, catcher::onBlocked);
    watched = VertxInternals.watchedMetrics(vertx);
    if (watched != null) {
      watched.tracking(true);
      watched.routed(handlerUsed ? null : running);
      watched.pools().attach(running, config.getQueueThresholdMs(), new PoolWarnings(warnings, metrics));
    }
    watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "loopscope-loopwatch");
      thread.setDaemon(true);
      return thread;
    });
    watchdog.scheduleWithFixedDelay(guarded(catcher::finishResumed), config.getCheckIntervalMs(), config.getCheckIntervalMs(),
      TimeUnit.MILLISECONDS);
    watchdog.scheduleAtFixedRate(guarded(this::everySecond), 1, 1, TimeUnit.SECONDS);
    // a finished stall's victims so far, soon after it ends: its report is read then, before they are final
    watchdog.scheduleWithFixedDelay(guarded(this::countVictimsSoFar), VICTIMS_SO_FAR_MS, VICTIMS_SO_FAR_MS, TimeUnit.MILLISECONDS);
    virtualThreads = new VirtualThreadWatch(config, store.ids(), catcher::admit, catcher::finish);
    watchdog.execute(virtualThreads::start); // starting JFR takes 100 ms or more: not on this event loop
    watchdog.scheduleWithFixedDelay(guarded(virtualThreads::check), config.getCheckIntervalMs(), config.getCheckIntervalMs(),
      TimeUnit.MILLISECONDS);
    LOG.info("LoopWatch on {} event loops: stalls over {} ms (workers {} ms) reported, checked every {} ms; pools {}",
      probes.size(), config.getBlockThresholdMs(), config.getWorkerBlockThresholdMs(), config.getCheckIntervalMs(),
      watched == null ? "not watched (Vert.x built without LoopWatch.metricsFactory)"
        : "watched, queue threshold " + config.getQueueThresholdMs() + " ms");
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    RUNNING.remove(vertx, this);
    ApplicationFrames.forget(applicationFrames);
    VertxInternals.onBlockedThread(vertx, null);
    vertx.eventBus().removeInboundInterceptor(eventBusTracker);
    if (watched != null) {
      watched.tracking(false);
      watched.routed(null);
      watched.pools().detach();
    }
    probes.forEach(LoopProbe::stop);
    pauses.stop();
    watchdog.shutdownNow();
    virtualThreads.stop();
    catcher.clear();
    running.clear();
    return Future.succeededFuture();
  }

  /**
   * For a router's first handler, before its {@code next}: the request is named in reports and timed in the
   * route profile from here. That handler calls {@link #firstDispatchEnded()} once its {@code next} returned.
   */
  public void requestStarted(RoutingContext ctx) {
    if (!handlerUsed) {
      handlerUsed = true;
      WatchedVertxMetrics metrics = watched;
      if (metrics != null) {
        metrics.routed(null); // the handler names requests from here on: vertx-web's metrics calls are not needed
      }
    }
    routeTracker.onRequest(ctx);
  }

  /** For a router's first handler, after its {@code next}: the request's first dispatch on its loop is over. */
  public void firstDispatchEnded() {
    routeTracker.afterDispatch();
  }

  /**
   * {@code work} as it should run on a virtual thread for the request {@code ctx} serves: watched for
   * pinning and hogging, and named after the request's route in reports. Call on the request's event loop.
   */
  public <T> Callable<T> onVirtualThread(RoutingContext ctx, Callable<T> work) {
    return virtualThreads.tracked(RunningWork.routeName(ctx), work);
  }

  /** An event-bus inbound interceptor: names the dispatch after the address and, on a loop, times it. */
  private void onDelivery(DeliveryContext<Object> delivery) {
    String address = delivery.message().address();
    RunningWork.Slot slot = running.slot();
    long stamp = VertxInternals.dispatchStart(slot.thread);
    slot.stamp(address, stamp);
    if (slot.probe() == null) {
      delivery.next();
      return;
    }
    long start = System.nanoTime();
    delivery.next();
    profile.record(slot.index(), profile.named(RunningWork.eventBusName(address), "event-bus"), System.nanoTime() - start);
  }

  /** On the pause clock: the whole process stood still; said in the log when a loop's stall would have been that long. */
  private void processPaused(ProcessPauses.Pause pause) {
    metrics.processPaused(pause.nanos());
    if (pause.nanos() >= TimeUnit.MILLISECONDS.toNanos(config.getBlockThresholdMs())) {
      LOG.warn("The whole process stood still for {} ms (GC {} ms of it; the rest a safepoint, the host throttling "
          + "its CPU, or a stop signal): every thread waited, and none is blamed for it as a stall",
        TimeUnit.NANOSECONDS.toMillis(pause.nanos()), pause.gcMillis());
    }
  }

  private void stallStarted(BlockedReport report) {
    StallSpans.detected(report);
    metrics.stallStarted(report);
    events.publish(new Event("blocked", report.toJson()));
  }

  private void stallEnded(BlockedReport report) {
    victimsPending = true;
    metrics.stallEnded(report);
    JfrEvents.stallEnded(report);
    StallSpans.over(report);
    RunningWork.Kind kind = report.work().kind();
    if (report.loop() != null && kind != RunningWork.Kind.HTTP && kind != RunningWork.Kind.EVENT_BUS) {
      // timers and tasks have no hook of their own: they enter the route profile when they block a loop
      profile.record(running.slot().index(), profile.named(report.work().name(), report.work().kindLabel()),
        report.durationNanos());
    }
    events.publish(new Event("blocked", report.toJson()));
  }

  /** On the watchdog, each second: lag windows and the profile roll, victims are counted, lints run. */
  private void everySecond() {
    probes.forEach(LoopProbe::roll);
    JfrEvents.lastSecond(probes);
    profile.roll();
    metrics.bindRoutes(profile);
    countVictims();
    lintRoutes();
    lintRepeatedStalls();
    warnings.expire();
    if (events.hasListeners()) {
      JsonArray loops = new JsonArray();
      long now = System.nanoTime();
      for (LoopProbe probe : byLoopNumber()) {
        loops.add(probe.lastSecondJson().put("loop", probe.index())
          .put("busyMs", TimeUnit.NANOSECONDS.toMillis(probe.runningNanos(now))));
      }
      events.publish(new Event("lag", new JsonObject().put("at", System.currentTimeMillis()).put("loops", loops)));
    }
  }

  private void countVictimsSoFar() {
    if (victimsPending) {
      countVictims();
    }
  }

  private void countVictims() {
    victims.collect(probes);
    long now = System.nanoTime();
    boolean pending = false;
    java.util.Map<Thread, Long> nextStall = new java.util.HashMap<>();
    for (BlockedReport report : store.reports(Integer.MAX_VALUE, null)) { // newest first
      long next = report.thread() == null ? Long.MAX_VALUE : nextStall.getOrDefault(report.thread(), Long.MAX_VALUE);
      if (report.thread() != null) {
        nextStall.put(report.thread(), report.startNanos());
      }
      if (report.victimsCounted()) {
        continue;
      }
      LoopProbe probe = report.thread() == null || report.loop() == null ? null : probeOf(report.thread());
      if (victims.count(report, probe, next, now)) {
        StallCatcher.logVictims(report);
        events.publish(new Event("blocked", report.toJson()));
      } else {
        pending |= !report.ongoing();
      }
    }
    victimsPending = pending;
  }

  /**
   * {@code busy-route}: a route whose loop busy p99 over the last 60 s exceeds {@code busyWarnMs}, with 20 requests
   * or more over it: a GC pause or a descheduled loop thread lengthens a request or two, not twenty.
   */
  private void lintRoutes() {
    for (RouteProfile.Figured route : profile.figures(RouteProfile.WINDOW_60S)) {
      double p99 = route.busyP99Ms();
      long slow = route.busyAtLeast(config.getBusyWarnMs());
      if (slow >= BUSY_ROUTE_MIN_REQUESTS && p99 > config.getBusyWarnMs()) {
        warnings.seen(Warnings.BUSY_ROUTE, route.entry().name, new JsonObject().put("route", route.entry().name)
            .put("requests", route.figures().requests).put("slowRequests", slow).put("loopBusyP99Ms", p99)
            .put("busyWarnMs", config.getBusyWarnMs()),
          route.entry().name + " ran " + p99 + " ms on its event loop at p99 over " + route.figures().requests
            + " requests (diagnostics.busyWarnMs " + config.getBusyWarnMs() + ")");
      }
    }
  }

  /** {@code repeated-stall}: the same route or timer blocking a loop {@code repeatedStalls} times within 60 s. */
  private void lintRepeatedStalls() {
    long since = System.nanoTime() - REPEATED_STALL_WINDOW_NANOS;
    java.util.Map<String, List<BlockedReport>> byWork = new java.util.TreeMap<>();
    for (BlockedReport report : store.reports(Integer.MAX_VALUE, null)) {
      if (report.startNanos() >= since && report.loop() != null) {
        byWork.computeIfAbsent(report.work().name(), name -> new ArrayList<>()).add(report);
      }
    }
    byWork.forEach((work, stalls) -> {
      if (stalls.size() >= config.getRepeatedStalls()) {
        long maxMs = stalls.stream().mapToLong(report -> TimeUnit.NANOSECONDS.toMillis(report.durationNanos())).max().orElse(0);
        Culprit culprit = stalls.get(0).culprit();
        warnings.seen(Warnings.REPEATED_STALL, work, new JsonObject().put("route", work).put("stalls", stalls.size())
            .put("windowS", 60).put("maxStallMs", maxMs).put("culprit", culprit == null ? null : culprit.summary())
            .put("reports", new JsonArray(stalls.stream().map(BlockedReport::id).toList())),
          work + " blocked an event loop " + stalls.size() + " times in 60 s, up to " + maxMs + " ms");
      }
    });
  }

  /** Events from now on, on LoopWatch's own threads; the returned action unsubscribes. */
  public Runnable subscribe(Consumer<Event> listener) {
    return events.subscribe(listener);
  }

  /** The most recent reports first, at most {@code limit}, only those whose route is {@code route} when given. */
  public List<BlockedReport> reports(int limit, String route) {
    return store.reports(limit, route);
  }

  /** Stalls reported since start (a reset forgets the reports, not this count). */
  public long stallCount() {
    return store.count();
  }

  /** The worst loop's 10-s lag p99 (0 until a window holds enough samples). */
  public double lagP99Ms() {
    return probes.stream().mapToDouble(LoopProbe::windowP99Ms).max().orElse(0);
  }

  /** {@code {"window": "60s", "routes": [...]}}: the route profile, most loop busy time first. */
  public JsonObject routes(String window) {
    return new JsonObject().put("window", window).put("routes", RouteProfile.toJson(profile.figures(window)));
  }

  /** {@code {"warnings": [...]}}, the most recently seen first. */
  public JsonObject warnings() {
    return new JsonObject().put("warnings", warnings.toJson());
  }

  /** Forgets every report, lag sample, route figure and warning (metrics counters keep counting: Prometheus expects that). */
  public void reset() {
    store.clear();
    probes.forEach(LoopProbe::reset);
    profile.reset();
    warnings.reset();
  }

  /** Per loop: lag percentiles, whether it is running a dispatch now and for how long, and what. */
  public JsonArray eventLoops() {
    long now = System.nanoTime();
    JsonArray loops = new JsonArray();
    for (LoopProbe probe : byLoopNumber()) {
      Thread thread = probe.thread();
      long runningNanos = probe.runningNanos(now);
      loops.add(new JsonObject()
        .put("loop", probe.index())
        .put("thread", thread == null ? null : thread.getName())
        .put("busy", runningNanos > 0)
        .put("runningMs", TimeUnit.NANOSECONDS.toMillis(runningNanos))
        .put("running", runningNanos > 0 ? runningNow(thread) : null)
        .put("lag", new JsonObject()
          .put("last10s", probe.windowJson())
          .put("sinceStart", probe.sinceStartJson())));
    }
    return loops;
  }

  private String runningNow(Thread thread) {
    long start = VertxInternals.dispatchStart(thread);
    RunningWork.Activity work = running.stamped(thread, start);
    if (work != null) {
      return work.name();
    }
    BlockedReport report = catcher.ongoing(thread);
    return report != null && report.startNanos() == start ? report.work().name() : null;
  }

  public Status readiness() {
    return health.readiness();
  }

  public Status liveness() {
    return health.liveness();
  }

  private List<LoopProbe> byLoopNumber() {
    return probes.stream().sorted(Comparator.comparingInt(LoopProbe::index)).toList();
  }

  private LoopProbe probeOf(Thread thread) {
    for (LoopProbe probe : probes) {
      if (probe.thread() == thread) {
        return probe;
      }
    }
    return null;
  }

  /** {@code vert.x-worker-thread-3} is in pool {@code vert.x-worker-thread}, {@code cpu-1} in {@code cpu}. */
  static String poolOf(String threadName) {
    return StallCatcher.poolOf(threadName);
  }

  /** A scheduled task that throws is never run again: log and carry on instead. */
  private static Runnable guarded(Runnable task) {
    return () -> {
      try {
        task.run();
      } catch (RuntimeException e) {
        LOG.error("LoopWatch's watchdog task failed", e);
      }
    };
  }
}
