package io.loopscope.loopwatch;

import io.opentelemetry.api.trace.Span;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Arrays;

/**
 * One stall: a thread that ran one dispatch for longer than its threshold. Created once, at detection,
 * with the stack as it was then; completed once, when the thread has moved on.
 */
public final class BlockedReport {

  /** Frames kept when the stack never reaches our code (a stall inside Vert.x or Netty). */
  private static final int FRAMES_WITHOUT_OURS = 32;
  /** Frames kept beyond our innermost block, so the dispatch that called it shows too. */
  private static final int FRAMES_PAST_OURS = 1;
  private static final int MAX_FRAMES = 64;

  private final long id;
  private final Thread thread;
  private final String threadName;
  private final String pool;
  private final Integer loop;
  private final RunningWork.Activity work;
  private final long startNanos;
  private final Instant startedAt;
  private final long detectedAfterNanos;
  private final long thresholdNanos;
  private final StackTraceElement[] stack;
  private final Culprit culprit;
  private final StallProfile profile = new StallProfile();
  private volatile long durationNanos = -1;
  private volatile long finishedAtNanos;
  private volatile JsonObject victims;
  private volatile Boolean pinned;
  private volatile String pinnedReason;
  private volatile boolean fromJfr;
  /** The culprit request's server span, when tracing is on. */
  private volatile Span culpritSpan;

  BlockedReport(long id, Thread thread, String pool, Integer loop, RunningWork.Activity work, long startNanos,
                long detectedAtNanos, long thresholdNanos, StackTraceElement[] stack) {
    this(id, thread, thread.getName(), pool, loop, work, startNanos, detectedAtNanos, thresholdNanos, stack);
  }

  /** A report on a thread known only by name (a pinned virtual thread the JDK told us about after it ended). */
  BlockedReport(long id, String threadName, String pool, Integer loop, RunningWork.Activity work, long startNanos,
                long detectedAtNanos, long thresholdNanos, StackTraceElement[] stack) {
    this(id, null, threadName, pool, loop, work, startNanos, detectedAtNanos, thresholdNanos, stack);
  }

  private BlockedReport(long id, Thread thread, String threadName, String pool, Integer loop, RunningWork.Activity work,
                        long startNanos, long detectedAtNanos, long thresholdNanos, StackTraceElement[] stack) {
    this.id = id;
    this.thread = thread;
    this.threadName = threadName;
    this.pool = pool;
    this.loop = loop;
    this.work = work;
    this.startNanos = startNanos;
    this.detectedAfterNanos = detectedAtNanos - startNanos;
    this.startedAt = Instant.now().minusNanos(System.nanoTime() - startNanos);
    this.thresholdNanos = thresholdNanos;
    this.culprit = Culprit.of(stack);
    this.profile.add(stack);
    this.stack = kept(stack);
  }

  /**
   * Top frames through our innermost block of frames (the handler that got it stuck, and what it
   * called) and the one frame that dispatched it; the whole framework tail below adds nothing.
   */
  static StackTraceElement[] kept(StackTraceElement[] stack) {
    int first = 0;
    while (first < stack.length && !ours(stack[first])) {
      first++;
    }
    if (first == stack.length) {
      return Arrays.copyOf(stack, Math.min(FRAMES_WITHOUT_OURS, stack.length));
    }
    int last = first;
    while (last + 1 < stack.length && ours(stack[last + 1])) {
      last++;
    }
    return Arrays.copyOf(stack, Math.min(Math.min(last + 1 + FRAMES_PAST_OURS, MAX_FRAMES), stack.length));
  }

  private static boolean ours(StackTraceElement frame) {
    return ApplicationFrames.application(frame);
  }

  /** Marks a virtual thread's report: pinned to its carrier (and why, on Java 24+) or hogging it. Call before publishing. */
  BlockedReport onVirtualThread(boolean pinned, String pinnedReason) {
    this.pinned = pinned;
    this.pinnedReason = pinnedReason;
    return this;
  }

  /** What JFR's jdk.VirtualThreadPinned event said of this stall: its exact duration and, on 24+, why. */
  BlockedReport confirmedByJfr(long durationNanos, String pinnedReason) {
    this.durationNanos = durationNanos;
    this.pinnedReason = pinnedReason;
    this.fromJfr = true;
    return this;
  }

  /** The server span of the request that stalled, or null (tracing off, or no request). Call before publishing. */
  BlockedReport culpritSpan(Span span) {
    this.culpritSpan = span;
    return this;
  }

  Span culpritSpan() {
    return culpritSpan;
  }

  /** True for a virtual thread pinned to its carrier. */
  boolean pinned() {
    return Boolean.TRUE.equals(pinned);
  }

  void finish(long endNanos) {
    durationNanos = Math.max(detectedAfterNanos, endNanos - startNanos);
    finishedAtNanos = System.nanoTime();
  }

  /** When the watchdog saw the stall over (System.nanoTime), 0 while it is ongoing. */
  long finishedAtNanos() {
    return finishedAtNanos;
  }

  /** The loop it blocked; null for a worker or a virtual thread. */
  Integer loop() {
    return loop;
  }

  /**
   * Whom to blame: the deepest application frame with the largest share of the stall's samples, once it has more
   * than the one taken at detection; until then (or when no sample had one), the detection stack's innermost.
   */
  Culprit culprit() {
    Culprit sampled = profile.samples() > 1 ? profile.culprit() : null;
    return sampled != null ? sampled : culprit;
  }

  /** On the watchdog, each tick while the stall lasts: one more sample of the blocked thread's stack. */
  void sample(StackTraceElement[] stack) {
    profile.add(stack);
  }

  /**
   * The requests it held up ({@link StallVictims}): none while it is ongoing, those seen so far once it is over,
   * and the final count a second later ({@link #victimsCounted()}).
   */
  JsonObject victims() {
    JsonObject figures = victims;
    return figures != null ? figures : StallVictims.NONE_YET;
  }

  /** True once its victims are counted for good. */
  boolean victimsCounted() {
    return victims().getBoolean("counted");
  }

  void victims(JsonObject victims) {
    this.victims = victims;
  }

  Instant startedAt() {
    return startedAt;
  }

  public long id() {
    return id;
  }

  /** The thread, or null when only its name is known. */
  public Thread thread() {
    return thread;
  }

  public String threadName() {
    return threadName;
  }

  long thresholdNanos() {
    return thresholdNanos;
  }

  public String pool() {
    return pool;
  }

  RunningWork.Activity work() {
    return work;
  }

  public long startNanos() {
    return startNanos;
  }

  public boolean ongoing() {
    return durationNanos < 0;
  }

  /** The final duration, or how long it has been blocked so far. */
  public long durationNanos() {
    long finalDuration = durationNanos;
    return finalDuration >= 0 ? finalDuration : System.nanoTime() - startNanos;
  }

  public StackTraceElement[] stack() {
    return stack.clone();
  }

  public JsonObject toJson() {
    JsonArray frames = new JsonArray();
    for (StackTraceElement frame : stack) {
      frames.add(frame.toString());
    }
    JsonObject json = new JsonObject()
      .put("id", id)
      .put("thread", threadName)
      .put("loop", loop)
      .put("pool", pool)
      .put("kind", work.kindLabel())
      .put("route", work.name())
      .put("culprit", culprit() == null ? null : culprit().toJson())
      .put("traceId", StallSpans.traceId(culpritSpan)).put("spanId", StallSpans.spanId(culpritSpan))
      .put("startedAt", startedAt.toString())
      .put("thresholdMs", millis(thresholdNanos))
      .put("detectedAfterMs", millis(detectedAfterNanos))
      .put("durationMs", millis(durationNanos()))
      .put("ongoing", ongoing())
      .put("victims", victims().copy())
      .put("stack", frames)
      .put("samples", profile.samples())
      .put("profile", profile.toJson());
    if (pinned != null) {
      json.put("pinned", pinned).put("jfr", fromJfr);
      if (pinnedReason != null) {
        json.put("pinnedReason", pinnedReason);
      }
    }
    return json;
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }
}
