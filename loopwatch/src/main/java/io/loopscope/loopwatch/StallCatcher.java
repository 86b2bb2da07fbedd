package io.loopscope.loopwatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns Vert.x's blocked-thread checker ticks into reports: one stall is one report however many ticks it
 * spans, created at detection with the stack as it was then and finished when the thread has moved on (a
 * loop's first heartbeat after the stall dates its end; a worker's end is when the watchdog saw it).
 */
final class StallCatcher {

  static final String EVENT_LOOP_POOL = "event-loop";
  private static final Logger LOG = LoggerFactory.getLogger(LoopWatch.class);
  private static final Pattern TRAILING_NUMBER = Pattern.compile("^(.*?)-?(\\d+)$");

  private final RunningWork running;
  private final ReportStore store;
  private final Function<Thread, LoopProbe> probes;
  private final Consumer<BlockedReport> started;
  private final Consumer<BlockedReport> ended;
  private final OwnTime ownTime;
  private final String reportsPath;
  private final Map<Thread, BlockedReport> ongoing = new ConcurrentHashMap<>();
  /** Per thread, the start of the last dispatch excused as not its doing: said once in the log, not every tick. */
  private final Map<Thread, Long> excused = new ConcurrentHashMap<>();

  /**
   * @param reportsPath where the application serves the reports, for the WARN line
   * @param started told of each new report; @param ended of each finished one (both on LoopWatch's threads)
   */
  StallCatcher(RunningWork running, ReportStore store, Function<Thread, LoopProbe> probes, OwnTime ownTime,
               String reportsPath, Consumer<BlockedReport> started, Consumer<BlockedReport> ended) {
    this.running = running;
    this.reportsPath = reportsPath;
    this.store = store;
    this.probes = probes;
    this.ownTime = ownTime;
    this.started = started;
    this.ended = ended;
  }

  /**
   * On the checker's thread, every tick, for each Vert.x thread past its limit by the clock. It is a stall once
   * its own time is past the limit too: a dispatch that only stood still with the whole process, or waited for
   * a core, is not (it is looked at again next tick, and reported as soon as its own time gets there).
   */
  void onBlocked(Thread thread, long thresholdNanos) {
    long start = VertxInternals.dispatchStart(thread);
    if (start == 0 || isOngoing(thread, start)) {
      return; // it finished between the check and now, or it is the same stall, seen again one tick later
    }
    long now = System.nanoTime();
    StackTraceElement[] stack = thread.getStackTrace();
    long own = ownTime.of(thread, start, now, stack);
    if (own < thresholdNanos) {
      excuse(thread, start, now, own);
      return;
    }
    BlockedReport report;
    synchronized (this) {
      BlockedReport current = ongoing.get(thread);
      if (current != null && current.startNanos() == start) {
        return;
      }
      if (current != null) {
        finish(current, now);
      }
      report = newReport(thread, start, now, thresholdNanos, stack);
      ongoing.put(thread, report);
    }
    admit(report);
  }

  private boolean isOngoing(Thread thread, long start) {
    BlockedReport current = ongoing.get(thread);
    return current != null && current.startNanos() == start;
  }

  private void excuse(Thread thread, long start, long now, long own) {
    Long before = excused.put(thread, start);
    if (before == null || before != start) {
      LOG.info("{} has been in one dispatch for {} ms, but only {} ms of it by its own doing (the process stood "
          + "still, or the thread waited for a core): not reported as a stall unless its own time gets past the limit",
        thread.getName(), TimeUnit.NANOSECONDS.toMillis(now - start), TimeUnit.NANOSECONDS.toMillis(own));
    }
  }

  /** A new report (from the checker, or a virtual thread's from its own watch): kept, logged, announced. */
  void admit(BlockedReport report) {
    store.add(report);
    logDetected(report);
    started.accept(report);
  }

  private BlockedReport newReport(Thread thread, long start, long now, long thresholdNanos, StackTraceElement[] stack) {
    RunningWork.Activity work = running.stamped(thread, start);
    boolean loop = VertxInternals.isEventLoop(thread);
    return new BlockedReport(store.ids().incrementAndGet(), thread, loop ? EVENT_LOOP_POOL : poolOf(thread.getName()),
      loop ? LoopProbe.loopNumber(thread.getName()) : null, work != null ? work : RunningWork.fromStack(stack), start, now,
      thresholdNanos, stack).culpritSpan(running.stampedSpan(thread, start));
  }

  /**
   * On the watchdog, every check interval: a report whose thread is still in its stall gets one more sample of
   * its stack; one whose thread has moved on gets its final duration.
   */
  void finishResumed() {
    for (BlockedReport report : ongoing.values()) {
      if (VertxInternals.dispatchStart(report.thread()) == report.startNanos()) {
        StackTraceElement[] stack = report.thread().getStackTrace();
        if (VertxInternals.dispatchStart(report.thread()) == report.startNanos()) { // not taken past its end
          report.sample(stack);
        }
      } else {
        synchronized (this) {
          if (ongoing.remove(report.thread(), report)) {
            finish(report, System.nanoTime());
          }
        }
      }
    }
  }

  /** The report on {@code thread}'s stall now, if any. */
  BlockedReport ongoing(Thread thread) {
    return thread == null ? null : ongoing.get(thread);
  }

  /** Finishes a report at {@code now}, or at its loop's first heartbeat after the stall when that came earlier. */
  void finish(BlockedReport report, long now) {
    LoopProbe probe = report.thread() == null ? null : probes.apply(report.thread());
    long beat = probe == null ? 0 : probe.lastBeatNanos();
    report.finish(beat > report.startNanos() ? Math.min(beat, now) : now);
    LOG.info("{} ({}) is running again: {} was blocked for {} ms in all (report {})", report.threadName(),
      report.pool(), report.work().name(), TimeUnit.NANOSECONDS.toMillis(report.durationNanos()), report.id());
    ended.accept(report);
  }

  /** Once its victims are counted: {@code GET /bad-example blocked loop 2 for 312 ms; 47 requests waited, up to 298 ms}. */
  static void logVictims(BlockedReport report) {
    String where = report.loop() != null ? "loop " + report.loop() : report.threadName();
    Culprit culprit = report.culprit();
    LOG.atWarn().addKeyValue("route", report.work().name()).addKeyValue("thread", report.threadName())
      .log("{} blocked {} for {} ms; {} requests waited, up to {} ms; culprit {} (report {})", report.work().name(),
        where, TimeUnit.NANOSECONDS.toMillis(report.durationNanos()), report.victims().getInteger("requests"),
        Math.round(report.victims().getDouble("maxWaitMs")), culprit == null ? "(none of ours)" : culprit.summary(),
        report.id());
  }

  private void logDetected(BlockedReport report) {
    Culprit culprit = report.culprit();
    LOG.atWarn().addKeyValue("route", report.work().name()).addKeyValue("thread", report.threadName())
      .log("Blocked {}: {} has run {} for {} ms (limit {} ms), in {}; report {} at {}",
        report.pool(), report.threadName(), report.work().name(),
        TimeUnit.NANOSECONDS.toMillis(report.durationNanos()), TimeUnit.NANOSECONDS.toMillis(report.thresholdNanos()),
        culprit == null ? "(no application frame)" : culprit.summary(), report.id(), reportsPath);
    if (LOG.isDebugEnabled()) {
      StringBuilder stack = new StringBuilder("Stack of ").append(report.threadName()).append(" at detection:");
      for (StackTraceElement frame : report.stack()) {
        stack.append(System.lineSeparator()).append("\tat ").append(frame);
      }
      LOG.debug(stack.toString());
    }
  }

  /** {@code vert.x-worker-thread-3} is in pool {@code vert.x-worker-thread}, {@code cpu-1} in {@code cpu}. */
  static String poolOf(String threadName) {
    Matcher matcher = TRAILING_NUMBER.matcher(threadName);
    return matcher.matches() && !matcher.group(1).isEmpty() ? matcher.group(1) : threadName;
  }

  void clear() {
    ongoing.clear();
    excused.clear();
  }
}
