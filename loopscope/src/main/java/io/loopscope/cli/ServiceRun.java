package io.loopscope.cli;

import io.loopscope.config.ConfigLoader;
import io.loopscope.app.GracefulShutdown;
import io.loopscope.config.LogFormat;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.config.NodeRole;
import io.loopscope.app.RunningService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code serve} and {@code worker} share: log the configuration, start, and run until told to stop. */
final class ServiceRun {

  private static final Logger LOG = LoggerFactory.getLogger(ServiceRun.class);

  private ServiceRun() {
  }

  /** Returns the exit code once the process has been told to stop and has stopped. */
  static int untilStopped(LoopscopeConfig config, NodeRole role) {
    LogFormat.apply(config.log().format());
    LOG.info("Effective configuration:\n{}", ConfigLoader.describe(config));
    // signals first: a SIGTERM during start-up must not end the JVM the default way (exit 143, nothing drained)
    GracefulShutdown shutdown = GracefulShutdown.install(config.shutdown());
    return shutdown.run(RunningService.start(config, role));
  }
}
