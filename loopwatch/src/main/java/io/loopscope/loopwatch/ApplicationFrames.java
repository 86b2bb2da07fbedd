package io.loopscope.loopwatch;

import java.util.List;

/**
 * Which stack frames are the application's: those in its package prefixes
 * ({@link LoopWatchOptions#getApplicationPackages()}) when it gave any, else every frame outside the JDK, Netty
 * and Vert.x. Process-wide, like the stacks it judges: the last LoopWatch started sets it.
 */
final class ApplicationFrames {

  private static final String[] FRAMEWORK = {"java.", "jdk.", "sun.", "io.netty.", "io.vertx."};
  private static volatile String[] prefixes = new String[0];

  private ApplicationFrames() {
  }

  static void use(List<String> applicationPackages) {
    prefixes = applicationPackages.toArray(String[]::new);
  }

  /** Whether {@code frame} is the application's own code. */
  static boolean application(StackTraceElement frame) {
    String name = frame.getClassName();
    String[] own = prefixes;
    if (own.length > 0) {
      return startsWithAny(name, own);
    }
    return !startsWithAny(name, FRAMEWORK);
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
