package io.loopscope.concurrency;

/** Elapsed wall time from a {@link System#nanoTime()} reading: the one way the codebase computes it. */
public final class Elapsed {

  private Elapsed() {
  }

  /** Whole milliseconds since {@code startNanos}. */
  public static long msSince(long startNanos) {
    return (System.nanoTime() - startNanos) / 1_000_000;
  }
}
