package io.loopscope.loopwatch;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Each event loop's CPU time, sampled every pause-clock tick: a loop that sat in the middle of a dispatch without
 * running (the host gave its core to other threads) used far less CPU than wall time, and was not blocked by it.
 */
final class LoopCpuTime {

  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private final boolean supported = threads.isThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
  private final int kept;
  private final Map<Thread, Samples> byThread = new ConcurrentHashMap<>();

  /** @param keptNanos how far back the samples reach: the longest stall start still told apart */
  LoopCpuTime(long keptNanos, long tickNanos) {
    this.kept = (int) Math.max(8, keptNanos / Math.max(1, tickNanos) + 2);
  }

  /** On the pause clock's thread, each tick: one sample of {@code thread} (a loop that has beaten at least once). */
  void sample(Thread thread, long now) {
    if (supported && thread != null) {
      long cpu = threads.getThreadCpuTime(thread.getId());
      if (cpu >= 0) {
        byThread.computeIfAbsent(thread, t -> new Samples(kept)).add(now, cpu);
      }
    }
  }

  /**
   * The CPU time {@code thread} used from {@code start} to now, from the last sample at or before {@code start}
   * (so at most one tick's worth more than it used); -1 when unknown (no sample reaches back that far).
   */
  long usedSince(Thread thread, long start) {
    Samples samples = supported ? byThread.get(thread) : null;
    if (samples == null) {
      return -1;
    }
    long before = samples.cpuAtOrBefore(start);
    long now = threads.getThreadCpuTime(thread.getId());
    return before < 0 || now < 0 ? -1 : now - before;
  }

  /** A ring of (time, CPU time) samples of one thread, oldest overwritten. */
  private static final class Samples {
    private final long[] at;
    private final long[] cpu;
    private int count;

    Samples(int size) {
      at = new long[size];
      cpu = new long[size];
    }

    synchronized void add(long now, long cpuNanos) {
      at[count % at.length] = now;
      cpu[count % at.length] = cpuNanos;
      count++;
    }

    synchronized long cpuAtOrBefore(long start) {
      for (int i = count - 1; i >= Math.max(0, count - at.length); i--) {
        if (at[i % at.length] <= start) {
          return cpu[i % at.length];
        }
      }
      return -1;
    }
  }
}
