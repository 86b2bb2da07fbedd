package io.loopscope.cli;

import io.loopscope.app.ConfigLoader;
import io.loopscope.app.GracefulShutdown;
import io.loopscope.app.LogFormat;
import io.loopscope.app.LoopscopeConfig;
import io.loopscope.app.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

/** {@code loopscope serve}: runs the service until the process is told to stop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
  description = "Run the service: API on http.port, admin on admin.port (the default command).")
public final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: conf/loopscope.yaml when present)")
  Path configFile;

  @Override
  public Integer call() {
    LoopscopeConfig config = ConfigLoader.load(Optional.ofNullable(configFile));
    LogFormat.apply(config.log().format());
    LOG.info("Effective configuration:\n{}", ConfigLoader.describe(config));
    Service service = Service.start(config).await();
    return GracefulShutdown.install(service, config.shutdown()).awaitExitCode();
  }
}
