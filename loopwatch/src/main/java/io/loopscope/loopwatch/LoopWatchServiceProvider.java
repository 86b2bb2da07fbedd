package io.loopscope.loopwatch;

import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.spi.VertxServiceProvider;

/**
 * LoopWatch without code: Vert.x loads this provider (META-INF/services) for every instance it builds, and with
 * {@code -Dloopwatch.enabled=true} (or {@code -javaagent:loopwatch.jar}) it sets the instance's blocked-thread
 * checker to LoopWatch's thresholds, wraps the instance's metrics (the application's own, vertx-micrometer's, or
 * none) and starts a LoopWatch on it once it exists. Options come from {@code -Dloopwatch.<option>=<value>}, the
 * keys of {@link LoopWatchOptions}; {@code -Dloopwatch.port=<port>} also serves its routes there.
 */
public final class LoopWatchServiceProvider implements VertxServiceProvider {

  /** The system property that switches the no-code attach on. */
  public static final String ENABLED_PROPERTY = "loopwatch.enabled";

  @Override
  public void init(VertxBootstrap builder) {
    if (!Boolean.getBoolean(ENABLED_PROPERTY) || Attach.buildingOwn()) {
      return;
    }
    if (!Attach.dependenciesPresent()) {
      // no SLF4J yet to say it with: LoopWatch must never stop the application from starting
      System.err.println("LoopWatch is not attached: SLF4J (org.slf4j:slf4j-api) is not on the class path");
      return;
    }
    Attach.install(builder);
  }
}
