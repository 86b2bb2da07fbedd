package io.loopscope.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code loopscope serve}: runs the service until the process is told to stop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
  description = "Run the service: API on http.port, admin on admin.port (the default command).")
public final class ServeCommand implements Callable<Integer> {

  private static final Logger LOG = LoggerFactory.getLogger(ServeCommand.class);

  @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file (default: conf/loopscope.yaml when present)")
  Path configFile;

  @Override
  public Integer call() throws InterruptedException {
    LoopscopeConfig config = ConfigLoader.load(Optional.ofNullable(configFile));
    LOG.info("Effective configuration:\n{}", ConfigLoader.describe(config));
    Service service = Service.start(config).await();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      LOG.info("Stopping");
      service.stop().onComplete(done -> stopped.countDown());
      awaitQuietly(stopped);
    }, "loopscope-shutdown"));
    stopped.await();
    return 0;
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
