package io.loopscope.diagnostics;

import io.loopscope.app.LoopscopeConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxOptions;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The diagnostics verticle: catches every thread of its Vert.x instance that runs one dispatch too long
 * (an event loop past {@code diagnostics.blockThresholdMs}, a worker past {@code workerBlockThresholdMs}),
 * and names it: thread, loop, route or timer or event-bus address, and the stack at detection.
 *
 * <p>Detection is Vert.x's own {@code BlockedThreadChecker}, set by {@link #configure} to our thresholds
 * and a {@code checkIntervalMs} tick, with its logging replaced by {@link #onBlocked}: one stall is one
 * report and one WARN line, however many ticks it spans. Per-loop heartbeats ({@link LoopProbe}) measure
 * lag and date a stall's end. The watchdog thread and the checker's thread only read what the watched
 * threads wrote; neither ever schedules work on a loop. Virtual threads, which Vert.x's checker never
 * sees, are watched by {@link VirtualThreadWatch} on the same watchdog, into the same reports.
 */
public final class LoopWatch extends VerticleBase {

  public static final String EVENT_LOOP_POOL = "event-loop";
  private static final Logger LOG = LoggerFactory.getLogger(LoopWatch.class);
  private static final Pattern TRAILING_NUMBER = Pattern.compile("^(.*?)-?(\\d+)$");

  /** One thing the dashboard's stream shows: {@code lag} each second, {@code blocked} as a report starts and ends. */
  public record Event(String type, JsonObject data) {
  }

  private final MeterRegistry registry;
  private final RunningWork running = new RunningWork();
  private final List<LoopProbe> probes = new ArrayList<>();
  private final Map<Thread, BlockedReport> ongoing = new ConcurrentHashMap<>();
  private final Deque<BlockedReport> recent = new ArrayDeque<>();
  private final List<Consumer<Event>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong ids = new AtomicLong();
  private LoopscopeConfig.Diagnostics config;
  private ScheduledExecutorService watchdog;
  private VirtualThreadWatch virtualThreads;

  /** @param registry where the lag and blocked metrics go; null when metrics are off */
  public LoopWatch(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Vert.x's checker uses our thresholds and ticks every check interval, so it and LoopWatch agree. */
  public static VertxOptions configure(VertxOptions options, LoopscopeConfig.Diagnostics diagnostics) {
    if (!diagnostics.enabled()) {
      return options;
    }
    return options
      .setBlockedThreadCheckInterval(diagnostics.checkIntervalMs())
      .setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS)
      .setMaxEventLoopExecuteTime(diagnostics.blockThresholdMs())
      .setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setMaxWorkerExecuteTime(diagnostics.workerBlockThresholdMs())
      .setMaxWorkerExecuteTimeUnit(TimeUnit.MILLISECONDS)
      .setWarningExceptionTime(diagnostics.blockThresholdMs())
      .setWarningExceptionTimeUnit(TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> start() {
    config = LoopscopeConfig.from(config()).diagnostics();
    VertxInternal internal = (VertxInternal) vertx;
    int index = 0;
    for (EventExecutor loop : internal.nettyEventLoopGroup()) {
      probes.add(new LoopProbe(index++, loop, config.checkIntervalMs(), registry));
    }
    probes.forEach(LoopProbe::start);
    vertx.eventBus().addInboundInterceptor(running.eventBusTracker());
    internal.blockedThreadChecker().setThreadBlockedHandler(this::onBlocked);
    watchdog = Executors.newSingleThreadScheduledExecutor(runnable -> {
      Thread thread = new Thread(runnable, "loopscope-loopwatch");
      thread.setDaemon(true);
      return thread;
    });
    watchdog.scheduleWithFixedDelay(guarded(this::finishResumed), config.checkIntervalMs(), config.checkIntervalMs(),
      TimeUnit.MILLISECONDS);
    watchdog.scheduleAtFixedRate(guarded(this::everySecond), 1, 1, TimeUnit.SECONDS);
    virtualThreads = new VirtualThreadWatch(config, ids, this::admit, this::finish);
    watchdog.execute(virtualThreads::start); // starting JFR takes 100 ms or more: not on this event loop
    watchdog.scheduleWithFixedDelay(guarded(virtualThreads::check), config.checkIntervalMs(), config.checkIntervalMs(),
      TimeUnit.MILLISECONDS);
    LOG.info("LoopWatch on {} event loops: stalls over {} ms (workers {} ms) reported, checked every {} ms",
      probes.size(), config.blockThresholdMs(), config.workerBlockThresholdMs(), config.checkIntervalMs());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    ((VertxInternal) vertx).blockedThreadChecker().setThreadBlockedHandler(null);
    vertx.eventBus().removeInboundInterceptor(running.eventBusTracker());
    probes.forEach(LoopProbe::stop);
    watchdog.shutdownNow();
    virtualThreads.stop();
    running.clear();
    return Future.succeededFuture();
  }

  /** The first handler of a router whose requests should be named in reports. */
  public Handler<RoutingContext> routeTracker() {
    return running.routeTracker();
  }

  /** What {@link #routeTracker()} does, for a first handler that does more: it does not call {@code next}. */
  public void requestStarted(RoutingContext ctx) {
    running.requestStarted(ctx);
  }

  /**
   * {@code work} as it should run on a virtual thread for the request {@code ctx} serves: watched for
   * pinning and hogging, and named after the request's route in reports. Call on the request's event loop.
   */
  public <T> Callable<T> onVirtualThread(RoutingContext ctx, Callable<T> work) {
    return virtualThreads.tracked(RunningWork.routeName(ctx), work);
  }

  /** On the checker's thread, every tick, for each thread past its limit. */
  private void onBlocked(BlockedThreadEvent event) {
    if (!(event.thread() instanceof VertxThread thread)) {
      return;
    }
    long start = thread.startTime();
    if (start == 0) {
      return; // it finished between the check and now
    }
    long now = System.nanoTime();
    BlockedReport report;
    synchronized (this) {
      BlockedReport current = ongoing.get(thread);
      if (current != null && current.startNanos() == start) {
        return; // the same stall, seen again one tick later
      }
      if (current != null) {
        finish(current, now);
      }
      report = newReport(thread, start, now, event.maxExecTime());
      ongoing.put(thread, report);
    }
    admit(report);
  }

  /** A new report: kept, logged, counted and streamed. */
  private void admit(BlockedReport report) {
    synchronized (this) {
      recent.addFirst(report);
      while (recent.size() > config.maxReports()) {
        recent.removeLast();
      }
    }
    logDetected(report);
    if (registry != null) {
      Counter.builder("loopscope.blocked").description("Stalls reported by LoopWatch")
        .tag("route", report.work().name()).tag("pool", report.pool()).register(registry).increment();
    }
    publish(new Event("blocked", report.toJson()));
  }

  private BlockedReport newReport(VertxThread thread, long start, long now, long thresholdNanos) {
    StackTraceElement[] stack = thread.getStackTrace();
    RunningWork.Activity work = running.stamped(thread, start);
    boolean loop = !thread.isWorker();
    return new BlockedReport(ids.incrementAndGet(), thread, loop ? EVENT_LOOP_POOL : poolOf(thread.getName()),
      loop ? LoopProbe.loopNumber(thread.getName()) : null, work != null ? work : RunningWork.fromStack(stack), start, now,
      thresholdNanos, stack);
  }

  /** On the watchdog, every check interval: reports whose thread has moved on get their final duration. */
  private void finishResumed() {
    for (BlockedReport report : ongoing.values()) {
      if (((VertxThread) report.thread()).startTime() != report.startNanos()) {
        synchronized (this) {
          if (ongoing.remove(report.thread(), report)) {
            finish(report, System.nanoTime());
          }
        }
      }
    }
  }

  /** A loop's first heartbeat after the stall dates its end; a worker's end is when the watchdog saw it. */
  private void finish(BlockedReport report, long now) {
    LoopProbe probe = probeOf(report.thread());
    long beat = probe == null ? 0 : probe.lastBeatNanos();
    report.finish(beat > report.startNanos() ? Math.min(beat, now) : now);
    LOG.info("{} ({}) is running again: {} was blocked for {} ms in all (report {})", report.threadName(),
      report.pool(), report.work().name(), TimeUnit.NANOSECONDS.toMillis(report.durationNanos()), report.id());
    if (registry != null) {
      DistributionSummary.builder("loopscope.blocked.seconds").baseUnit("seconds")
        .description("How long the stalls LoopWatch reported lasted")
        .serviceLevelObjectives(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
        .register(registry).record(report.durationNanos() / 1e9);
    }
    publish(new Event("blocked", report.toJson()));
  }

  private void logDetected(BlockedReport report) {
    LOG.atWarn().addKeyValue("route", report.work().name()).addKeyValue("thread", report.threadName())
      .log("Blocked {}: {} has run {} for {} ms (limit {} ms); report {} at /diagnostics/blocked",
        report.pool(), report.threadName(), report.work().name(),
        TimeUnit.NANOSECONDS.toMillis(report.durationNanos()), TimeUnit.NANOSECONDS.toMillis(report.thresholdNanos()),
        report.id());
    if (LOG.isDebugEnabled()) {
      StringBuilder stack = new StringBuilder("Stack of ").append(report.threadName()).append(" at detection:");
      for (StackTraceElement frame : report.stack()) {
        stack.append(System.lineSeparator()).append("\tat ").append(frame);
      }
      LOG.debug(stack.toString());
    }
  }

  /** On the watchdog, each second: lag windows roll, and the stream gets a sample per loop. */
  private void everySecond() {
    probes.forEach(LoopProbe::roll);
    if (!listeners.isEmpty()) {
      JsonArray loops = new JsonArray();
      long now = System.nanoTime();
      for (LoopProbe probe : byLoopNumber()) {
        loops.add(probe.lastSecondJson().put("loop", probe.index())
          .put("busyMs", TimeUnit.NANOSECONDS.toMillis(probe.runningNanos(now))));
      }
      publish(new Event("lag", new JsonObject().put("at", System.currentTimeMillis()).put("loops", loops)));
    }
  }

  private void publish(Event event) {
    listeners.forEach(listener -> listener.accept(event));
  }

  /** Events from now on, on LoopWatch's own threads; the returned action unsubscribes. */
  public Runnable subscribe(Consumer<Event> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** The most recent reports first, at most {@code limit}, only those whose route is {@code route} when given. */
  public synchronized List<BlockedReport> reports(int limit, String route) {
    return recent.stream().filter(report -> route == null || route.equals(report.work().name())).limit(limit).toList();
  }

  /** Stalls reported since start (a reset forgets the reports, not this count). */
  public long stallCount() {
    return ids.get();
  }

  /** The worst loop's 10-s lag p99 (0 until a window holds enough samples). */
  public double lagP99Ms() {
    return probes.stream().mapToDouble(LoopProbe::windowP99Ms).max().orElse(0);
  }

  /** Forgets every report and every lag sample (metrics counters keep counting: Prometheus expects that). */
  public synchronized void reset() {
    recent.clear();
    probes.forEach(LoopProbe::reset);
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
    long start = thread instanceof VertxThread vertxThread ? vertxThread.startTime() : 0;
    RunningWork.Activity work = running.stamped(thread, start);
    if (work != null) {
      return work.name();
    }
    BlockedReport report = ongoing.get(thread);
    return report != null && report.startNanos() == start ? report.work().name() : null;
  }

  /** DOWN while a loop has been stalled longer than {@code readyMaxStallMs}, or its 10-s lag p99 is above it. */
  public Status readiness() {
    return stallStatus(config.readyMaxStallMs(), true);
  }

  /** DOWN only when a loop has been stalled longer than {@code liveMaxStallMs}: restarting is the only cure. */
  public Status liveness() {
    return stallStatus(config.liveMaxStallMs(), false);
  }

  private Status stallStatus(long maxMs, boolean lagCounts) {
    long now = System.nanoTime();
    JsonArray stalled = new JsonArray();
    for (LoopProbe probe : probes) {
      long stalledMs = TimeUnit.NANOSECONDS.toMillis(probe.runningNanos(now));
      double p99Ms = lagCounts ? probe.windowP99Ms() : 0;
      if (stalledMs > maxMs || p99Ms > maxMs) {
        stalled.add(new JsonObject().put("loop", probe.index()).put("stalledMs", stalledMs).put("lagP99Ms", p99Ms)
          .put("running", runningNow(probe.thread())));
      }
    }
    return stalled.isEmpty() ? Status.OK() : Status.KO(new JsonObject().put("maxStallMs", maxMs).put("stalled", stalled));
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
    Matcher matcher = TRAILING_NUMBER.matcher(threadName);
    return matcher.matches() && !matcher.group(1).isEmpty() ? matcher.group(1) : threadName;
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
