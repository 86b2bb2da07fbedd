package io.loopscope.loopwatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One event loop's heartbeat and lag probe, as Node's {@code monitorEventLoopDelay}: a Netty task that
 * the loop re-arms on itself every check interval, and that records how late it ran (the loop's
 * scheduling delay) into an HdrHistogram. The watchdog only reads what the beat wrote.
 */
final class LoopProbe implements Runnable {

  static final int WINDOW_SECONDS = 10;
  static final int MIN_SAMPLES_FOR_P99 = 100;
  private static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);

  private static final Pattern LOOP_NUMBER = Pattern.compile("eventloop-thread-(\\d+)$");

  private volatile int index;
  private final MeterRegistry registry;
  private final String metricPrefix;
  private final EventExecutor loop;
  private final long intervalNanos;
  private final SingleWriterRecorder recorder = new SingleWriterRecorder(HIGHEST_MICROS, 2);
  private Timer lagTimer;
  private final Deque<Histogram> lastSeconds = new ArrayDeque<>();
  private final Histogram sinceStart = new Histogram(HIGHEST_MICROS, 2);
  private Histogram lastSecond = new Histogram(HIGHEST_MICROS, 2);
  private final Histogram windowSum = new Histogram(HIGHEST_MICROS, 2);
  private volatile Thread thread;
  private volatile long lastBeatNanos;
  private volatile boolean stopped;
  private volatile ScheduledFuture<?> next;
  private long armedAt;
  private final long stallNanos;
  /** On the loop only: true from a late heartbeat (the loop woke from a stall) to the next one on time. */
  private boolean recovering;
  /** Requests a stall held up, for the watchdog; only filled while a loop wakes from a stall. */
  private final Queue<RequestRecord> held = new ConcurrentLinkedQueue<>();

  LoopProbe(int index, EventExecutor loop, long intervalMs, long stallMs, MeterRegistry registry, String metricPrefix) {
    this.index = index;
    this.loop = loop;
    this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMs);
    this.stallNanos = TimeUnit.MILLISECONDS.toNanos(stallMs);
    this.registry = registry;
    this.metricPrefix = metricPrefix;
  }

  /**
   * On the loop, as it dispatches {@code request} at {@code dispatchStart}: if the loop has not beaten for
   * longer than a stall (it is waking from one), or has not yet beaten on time since, the request was held up.
   */
  void held(RequestRecord request, long dispatchStart) {
    long lastBeat = lastBeatNanos;
    if (!recovering && (lastBeat == 0 || dispatchStart - lastBeat <= stallNanos)) {
      return;
    }
    request.heldUntilNanos = dispatchStart;
    held.add(request);
  }

  /** The next held-up request, for the watchdog; null when none is waiting. */
  RequestRecord nextHeld() {
    return held.poll();
  }

  void start() {
    loop.execute(this::arm);
  }

  private void arm() {
    if (thread == null) {
      firstBeat(Thread.currentThread()); // at once: a stall before the first beat is seen too
    }
    if (!stopped) {
      armedAt = System.nanoTime();
      next = loop.schedule(this, intervalNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** On the loop: one heartbeat. */
  @Override
  public void run() {
    long now = System.nanoTime();
    lastBeatNanos = now;
    long lagNanos = Math.max(0, now - armedAt - intervalNanos);
    recovering = lagNanos > stallNanos; // on time again: whatever it dispatches from now on was not held up
    recorder.recordValue(Math.min(HIGHEST_MICROS, lagNanos / 1_000));
    if (lagTimer != null) {
      lagTimer.record(lagNanos, TimeUnit.NANOSECONDS);
    }
    arm();
  }

  /** On the loop, once. The loop is numbered as its thread is ({@code vert.x-eventloop-thread-3} is loop 3), so logs and reports agree. */
  private void firstBeat(Thread current) {
    Integer number = loopNumber(current.getName());
    if (number != null) {
      index = number;
    }
    if (registry != null) {
      lagTimer = Timer.builder(metricPrefix + ".eventloop.lag")
        .description("How late each event loop ran its heartbeat: its scheduling delay")
        .tag("loop", String.valueOf(index))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    }
    thread = current;
  }

  /** 3 for {@code vert.x-eventloop-thread-3}; null for a name without a loop number. */
  static Integer loopNumber(String threadName) {
    Matcher number = LOOP_NUMBER.matcher(threadName);
    return number.find() ? Integer.valueOf(number.group(1)) : null;
  }

  void stop() {
    stopped = true;
    ScheduledFuture<?> pending = next;
    if (pending != null) {
      pending.cancel(false);
    }
  }

  /**
   * On the watchdog, once a second: the last second's samples move into the 10-s window and the total. The
   * second that leaves the window is recycled for the next one: a new 27-KB histogram per loop and second would
   * live the window's 10 s, long enough to be copied by every young collection in between.
   */
  synchronized void roll() {
    Histogram leaving = lastSeconds.size() >= WINDOW_SECONDS ? lastSeconds.removeFirst() : null;
    lastSecond = recorder.getIntervalHistogram(leaving);
    sinceStart.add(lastSecond);
    lastSeconds.addLast(lastSecond);
  }

  synchronized void reset() {
    recorder.reset();
    sinceStart.reset();
    lastSeconds.clear();
    lastSecond = new Histogram(HIGHEST_MICROS, 2);
  }

  int index() {
    return index;
  }

  /** The loop's thread, once its first beat ran (null before). */
  Thread thread() {
    return thread;
  }

  long lastBeatNanos() {
    return lastBeatNanos;
  }

  /** How long the loop's current dispatch has run, or 0 when it is idle or between dispatches. */
  long runningNanos(long now) {
    long start = VertxInternals.dispatchStart(thread);
    return start == 0 ? 0 : Math.max(0, now - start);
  }

  synchronized double lastSecondP99Ms() {
    return millis(lastSecond.getValueAtPercentile(99));
  }

  /**
   * The 10-s p99, once the window holds enough samples for a p99 to mean more than its maximum
   * (with fewer than 100, one stall alone would be the p99); 0 until then.
   */
  synchronized double windowP99Ms() {
    Histogram window = window();
    return window.getTotalCount() < MIN_SAMPLES_FOR_P99 ? 0 : millis(window.getValueAtPercentile(99));
  }

  /** On the watchdog, during a recording: the last second's lag as one {@link EventLoopLagEvent}. */
  synchronized void commitLag() {
    EventLoopLagEvent event = new EventLoopLagEvent();
    event.loop = index;
    event.p50 = lastSecond.getValueAtPercentile(50);
    event.p99 = lastSecond.getValueAtPercentile(99);
    event.max = lastSecond.getMaxValue();
    event.samples = lastSecond.getTotalCount();
    event.commit();
  }

  synchronized JsonObject lastSecondJson() {
    return stats(lastSecond);
  }

  synchronized JsonObject windowJson() {
    return stats(window());
  }

  synchronized JsonObject sinceStartJson() {
    return stats(sinceStart);
  }

  /** The 10-s window summed into one histogram, reused: readiness asks for it at every probe. */
  private Histogram window() {
    windowSum.reset();
    lastSeconds.forEach(windowSum::add);
    return windowSum;
  }

  private static JsonObject stats(Histogram histogram) {
    return new JsonObject()
      .put("p50Ms", millis(histogram.getValueAtPercentile(50)))
      .put("p99Ms", millis(histogram.getValueAtPercentile(99)))
      .put("maxMs", millis(histogram.getMaxValue()))
      .put("samples", histogram.getTotalCount());
  }

  private static double millis(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }
}
