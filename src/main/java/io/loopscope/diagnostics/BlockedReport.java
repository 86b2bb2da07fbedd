package io.loopscope.diagnostics;

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
  private final String pool;
  private final Integer loop;
  private final RunningWork.Work work;
  private final long startNanos;
  private final Instant startedAt;
  private final long detectedAfterNanos;
  private final long thresholdNanos;
  private final StackTraceElement[] stack;
  private volatile long durationNanos = -1;

  BlockedReport(long id, Thread thread, String pool, Integer loop, RunningWork.Work work, long startNanos,
                long detectedAtNanos, long thresholdNanos, StackTraceElement[] stack) {
    this.id = id;
    this.thread = thread;
    this.pool = pool;
    this.loop = loop;
    this.work = work;
    this.startNanos = startNanos;
    this.detectedAfterNanos = detectedAtNanos - startNanos;
    this.startedAt = Instant.now().minusNanos(System.nanoTime() - startNanos);
    this.thresholdNanos = thresholdNanos;
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
    return frame.getClassName().startsWith("io.loopscope.");
  }

  void finish(long endNanos) {
    durationNanos = Math.max(detectedAfterNanos, endNanos - startNanos);
  }

  public long id() {
    return id;
  }

  public Thread thread() {
    return thread;
  }

  public String pool() {
    return pool;
  }

  public RunningWork.Work work() {
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
    return new JsonObject()
      .put("id", id)
      .put("thread", thread.getName())
      .put("loop", loop)
      .put("pool", pool)
      .put("kind", work.kindLabel())
      .put("route", work.name())
      .put("startedAt", startedAt.toString())
      .put("thresholdMs", millis(thresholdNanos))
      .put("detectedAfterMs", millis(detectedAfterNanos))
      .put("durationMs", millis(durationNanos()))
      .put("ongoing", ongoing())
      .put("stack", frames);
  }

  private static double millis(long nanos) {
    return Math.round(nanos / 100_000.0) / 10.0;
  }
}
