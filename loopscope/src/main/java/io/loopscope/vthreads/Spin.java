package io.loopscope.vthreads;

/** Keeps the calling thread busy on the CPU without ever parking: a virtual thread doing this holds its carrier. */
public final class Spin {

  private Spin() {
  }

  /** Spins for {@code ms}; returns the number of turns, so the loop has a result the JIT must compute. */
  public static long spinFor(int ms) {
    long end = System.nanoTime() + ms * 1_000_000L;
    long turns = 0;
    while (System.nanoTime() < end) {
      Thread.onSpinWait();
      turns++;
    }
    return turns;
  }
}
