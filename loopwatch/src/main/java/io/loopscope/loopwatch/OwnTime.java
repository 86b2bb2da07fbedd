package io.loopscope.loopwatch;

/**
 * How long a stalled thread has held its dispatch by its own doing, which is what the threshold is held against:
 * the dispatch's wall time less the time the whole process stood still ({@link ProcessPauses}); for an event loop
 * caught running Java code, its CPU time since the dispatch began ({@link LoopCpuTime}), since such a thread that
 * used less CPU than that was waiting for a core, not holding one. A thread that waits (parked, sleeping, in a
 * native read) uses no CPU whoever is to blame, so it is judged by wall time: that is the stall it causes.
 */
final class OwnTime {

  private final ProcessPauses pauses;
  private final LoopCpuTime cpu;

  OwnTime(ProcessPauses pauses, LoopCpuTime cpu) {
    this.pauses = pauses;
    this.cpu = cpu;
  }

  /** Of the dispatch {@code thread} began at {@code start}, at {@code now}; {@code stack} is the thread's stack now. */
  long of(Thread thread, long start, long now, StackTraceElement[] stack) {
    long wall = Math.max(0, now - start - pauses.pausedWithin(start, now));
    if (runningJava(thread, stack)) {
      long used = cpu.usedSince(thread, start);
      if (used >= 0) {
        return Math.min(wall, used);
      }
    }
    return wall;
  }

  private static boolean runningJava(Thread thread, StackTraceElement[] stack) {
    return thread.getState() == Thread.State.RUNNABLE && stack.length > 0 && !stack[0].isNativeMethod();
  }
}
