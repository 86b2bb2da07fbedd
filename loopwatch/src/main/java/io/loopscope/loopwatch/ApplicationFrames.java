package io.loopscope.loopwatch;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Which stack frames are the application's: those in the package prefixes of a running LoopWatch
 * ({@link LoopWatchOptions#getApplicationPackages()}), or, for one that gave none (and while none runs), every frame
 * outside the JDK, Netty and Vert.x. Stacks are the process's, so this is too: with several LoopWatches running, a
 * frame is the application's when it is for any of them. Read only when a stall is judged, never per request.
 */
final class ApplicationFrames {

  private static final String[] FRAMEWORK = {"java.", "jdk.", "sun.", "io.netty.", "io.vertx."};
  private static final List<String[]> RUNNING = new CopyOnWriteArrayList<>();

  private ApplicationFrames() {
  }

  /** A LoopWatch starts with these prefixes; the returned value is what it hands to {@link #forget} as it stops. */
  static Object use(List<String> applicationPackages) {
    String[] prefixes = applicationPackages.toArray(String[]::new);
    RUNNING.add(prefixes);
    return prefixes;
  }

  static void forget(Object registration) {
    RUNNING.remove(registration);
  }

  /** Whether {@code frame} is the application's own code. */
  static boolean application(StackTraceElement frame) {
    String name = frame.getClassName();
    if (RUNNING.isEmpty()) {
      return !startsWithAny(name, FRAMEWORK);
    }
    for (String[] prefixes : RUNNING) {
      if (prefixes.length == 0 ? !startsWithAny(name, FRAMEWORK) : startsWithAny(name, prefixes)) {
        return true;
      }
    }
    return false;
  }

  private static boolean startsWithAny(String name, String[] starts) {
    for (String start : starts) {
      if (name.startsWith(start)) {
        return true;
      }
    }
    return false;
  }
}
