package io.loopscope.app;

import io.loopscope.config.LoopscopeConfig;

import io.loopscope.concurrency.Elapsed;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Stops a running service the way Kubernetes expects. On SIGTERM (or SIGINT): readiness goes DOWN at
 * once; the servers keep accepting for {@code shutdown.readinessDelayMs} while endpoints are updated;
 * then they stop accepting and in-flight requests finish (at most {@code shutdown.drainTimeoutMs});
 * then Vert.x closes, which undeploys {@link MainVerticle} and closes whatever it owns. The process
 * then exits 0. A second signal, or the whole sequence outlasting its budget, exits at once with 1.
 */
public final class GracefulShutdown {

  /** What closing pools, consumers and the database may take after the drain, before the exit is forced. */
  public static final long CLOSE_TIMEOUT_MS = 5_000;
  public static final int EXIT_CLEAN = 0;
  public static final int EXIT_FORCED = 1;

  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
  private static final List<String> SIGNALS = List.of("TERM", "INT");

  private final RunningService service;
  private final LoopscopeConfig.Shutdown config;
  private final AtomicInteger signals = new AtomicInteger();
  private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

  private GracefulShutdown(RunningService service, LoopscopeConfig.Shutdown config) {
    this.service = service;
    this.config = config;
  }

  /** Takes over SIGTERM and SIGINT for this service; {@link #awaitExitCode()} then tells when and how to exit. */
  public static GracefulShutdown install(RunningService service, LoopscopeConfig.Shutdown config) {
    GracefulShutdown shutdown = new GracefulShutdown(service, config);
    shutdown.handleSignals();
    return shutdown;
  }

  /** Blocks until the service has stopped (0) or the stop was forced (1). */
  public int awaitExitCode() {
    return exitCode.join();
  }

  /** The longest a stop may take from the signal to the exit. */
  public static long budgetMs(LoopscopeConfig.Shutdown config) {
    return config.readinessDelayMs() + config.drainTimeoutMs() + CLOSE_TIMEOUT_MS;
  }

  /**
   * The JVM's own SIGTERM handling runs shutdown hooks and then exits 143 whatever they did, so the
   * signals are taken over where the JDK allows it (sun.misc.Signal, in jdk.unsupported). Where it
   * does not, a shutdown hook still drains the service, and the exit code is the JVM's.
   */
  private void handleSignals() {
    try {
      for (String name : SIGNALS) {
        sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> onSignal("SIG" + signal.getName()));
      }
    } catch (IllegalArgumentException | LinkageError e) {
      LOG.warn("Cannot handle SIGTERM here ({}); stopping from a shutdown hook instead", e.toString());
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        onSignal("shutdown hook");
        awaitExitCode();
      }, "loopscope-shutdown"));
    }
  }

  private void onSignal(String name) {
    // first, before anything that could be slow: load balancers must see DOWN at once
    service.main().beginShutdown();
    if (signals.incrementAndGet() > 1) {
      LOG.warn("{} again: exiting now", name);
      exitCode.complete(EXIT_FORCED);
      return;
    }
    long budgetMs = budgetMs(config);
    LOG.info("{}: readiness DOWN; serving {} ms more, then draining in-flight requests for at most {} ms",
      name, config.readinessDelayMs(), config.drainTimeoutMs());
    CompletableFuture.delayedExecutor(budgetMs, TimeUnit.MILLISECONDS).execute(() -> {
      if (exitCode.complete(EXIT_FORCED)) {
        LOG.warn("Stopping took longer than {} ms: exiting now", budgetMs);
      }
    });
    stop().onComplete(stopped -> {
      if (stopped.failed()) {
        LOG.error("Stopping failed", stopped.cause());
      }
      exitCode.complete(stopped.succeeded() ? EXIT_CLEAN : EXIT_FORCED);
    });
  }

  private Future<Void> stop() {
    MainVerticle main = service.main();
    long start = System.nanoTime();
    // Vert.x's close future belongs to no event loop, so it can still report once they are gone
    Promise<Void> stopped = Promise.promise();
    keepServing(config.readinessDelayMs())
      .compose(delayed -> drain(main, start))
      .onComplete(drained -> service.stop()
        .onSuccess(closed -> LOG.info("Stopped {} ms after the signal", Elapsed.msSince(start)))
        .onComplete(stopped));
    return stopped.future();
  }

  private Future<Void> keepServing(long ms) {
    return ms == 0 ? Future.succeededFuture() : service.vertx().timer(ms).mapEmpty();
  }

  private Future<Void> drain(MainVerticle main, long start) {
    LOG.info("Not accepting connections any more; draining");
    return main.drain(config.drainTimeoutMs())
      .onSuccess(drained -> LOG.info("Drained {} ms after the signal; closing", Elapsed.msSince(start)))
      .onFailure(failure -> LOG.warn("Draining failed; closing", failure));
  }

}
