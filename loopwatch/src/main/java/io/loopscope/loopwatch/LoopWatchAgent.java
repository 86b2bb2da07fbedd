package io.loopscope.loopwatch;

import java.lang.instrument.Instrumentation;

/**
 * {@code -javaagent:loopwatch.jar}: switches the no-code attach on ({@link LoopWatchServiceProvider}). It
 * transforms no class; {@code -javaagent:loopwatch.jar=port=9191} also serves LoopWatch's routes on that port.
 */
public final class LoopWatchAgent {

  private LoopWatchAgent() {
  }

  /** Before the application's {@code main}: LoopWatch watches every Vert.x it builds. */
  public static void premain(String args, Instrumentation instrumentation) {
    System.setProperty(LoopWatchServiceProvider.ENABLED_PROPERTY, "true");
    if (args != null && args.startsWith("port=")) {
      System.setProperty(Attach.PORT_PROPERTY, args.substring("port=".length()));
    }
  }
}
