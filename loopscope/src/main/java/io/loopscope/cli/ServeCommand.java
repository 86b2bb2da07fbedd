package io.loopscope.cli;

import io.loopscope.config.NodeRole;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

/** {@code loopscope serve}: runs the service until the process is told to stop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
  description = "Run the service: API on http.port, admin on admin.port (the default command).")
public final class ServeCommand implements Callable<Integer> {

  @Mixin
  ConfigFileOption config;

  @Override
  public Integer call() {
    return ServiceRun.untilStopped(config.load(), NodeRole.API);
  }
}
