package io.loopscope.loopwatch;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Pauses of the whole process, found the way Hadoop's JvmPauseMonitor finds them: a thread of its own asks to
 * wake every tick and notes how late it woke. A GC, a long safepoint, the host throttling the container's CPU
 * or a SIGSTOP stops every thread at once, and whatever a loop was in the middle of would look blocked though
 * it was not its doing: {@link OwnTime} takes these windows off a stall before it is held against the threshold.
 */
final class ProcessPauses {

  /** Later than this, a tick is not scheduling noise: the process (this thread with it) stood still. */
  static final long LATE_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
  private static final int KEPT = 64;
  private static final Logger LOG = LoggerFactory.getLogger(LoopWatch.class);

  /** A window in which the process stood still, and the GC time the JVM counted meanwhile. */
  record Pause(long startNanos, long endNanos, long gcMillis) {
    long nanos() {
      return endNanos - startNanos;
    }
  }

  private final long tickNanos;
  private final LongConsumer onTick;
  private final Consumer<Pause> onPause;
  private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
  private final long[] starts = new long[KEPT];
  private final long[] ends = new long[KEPT];
  private int recorded;
  private volatile long lastTickNanos;
  private long lastGcMillis;
  private volatile boolean stopped;
  private volatile Thread thread;

  /**
   * @param onTick run on this clock's thread after each tick, with its time (LoopWatch samples the loops' CPU time)
   * @param onPause told of each pause, on this clock's thread
   */
  ProcessPauses(long tickMs, LongConsumer onTick, Consumer<Pause> onPause) {
    this.tickNanos = TimeUnit.MILLISECONDS.toNanos(tickMs);
    this.onTick = onTick;
    this.onPause = onPause;
  }

  void start() {
    thread = new Thread(this::run, "loopscope-pause-clock");
    thread.setDaemon(true);
    thread.start();
  }

  void stop() {
    stopped = true;
    if (thread != null) {
      LockSupport.unpark(thread);
    }
  }

  boolean isRunning() {
    Thread clock = thread;
    return clock != null && clock.isAlive();
  }

  private void run() {
    while (!stopped) {
      LockSupport.parkNanos(tickNanos);
      try {
        tick(System.nanoTime());
      } catch (RuntimeException e) {
        LOG.error("LoopWatch's pause clock failed a tick", e);
      }
    }
  }

  /** One tick at {@code now}: a pause when it comes later than the tick after the last one allows. */
  void tick(long now) {
    long last = lastTickNanos;
    long gcMillis = gcMillis();
    Pause pause = null;
    synchronized (this) { // the window and the new tick together: never counted both as seen and as still going on
      if (last != 0 && now - last - tickNanos > LATE_NANOS) {
        pause = new Pause(last + tickNanos, now, gcMillis - lastGcMillis);
        starts[recorded % KEPT] = pause.startNanos();
        ends[recorded % KEPT] = pause.endNanos();
        recorded++;
      }
      lastTickNanos = now;
    }
    lastGcMillis = gcMillis;
    if (pause != null) {
      onPause.accept(pause);
    }
    onTick.accept(now);
  }

  /**
   * How much of {@code from..to} the process stood still, as far as known at {@code to}: the pauses seen, and the
   * one still going on when the clock is overdue now (it has not woken since, so it cannot have said so).
   */
  synchronized long pausedWithin(long from, long to) {
    long paused = 0;
    for (int i = Math.max(0, recorded - KEPT); i < recorded; i++) {
      paused += overlap(from, to, starts[i % KEPT], ends[i % KEPT]);
    }
    long last = lastTickNanos;
    if (last != 0 && to - last - tickNanos > LATE_NANOS) {
      paused += overlap(from, to, last + tickNanos, to);
    }
    return paused;
  }

  private static long overlap(long from, long to, long start, long end) {
    return Math.max(0, Math.min(to, end) - Math.max(from, start));
  }

  private long gcMillis() {
    long total = 0;
    for (GarbageCollectorMXBean collector : collectors) {
      total += Math.max(0, collector.getCollectionTime());
    }
    return total;
  }
}
