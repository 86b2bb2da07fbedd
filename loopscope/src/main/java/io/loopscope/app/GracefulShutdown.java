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

/**
 * Stops a running service the way Kubernetes expects. On SIGTERM (or SIGINT): readiness goes DOWN at
 * once; the servers keep accepting for {@code shutdown.readinessDelayMs} while endpoints are updated;
 * then they stop accepting and in-flight requests finish (at most {@code shutdown.drainTimeoutMs});
 * then Vert.x closes, which undeploys {@link MainVerticle} and closes whatever it owns. The process
 * then exits 0. A second signal, or the whole sequence outlasting its budget, exits at once with 1.
 * The signals are taken over before start-up: one that arrives while the service starts stops it as
 * soon as it has started, never the JVM's way (exit 143 with nothing drained).
 */
public final class GracefulShutdown {

  /** What closing pools, consumers and the database may take after the drain, before the exit is forced. */
  public static final long CLOSE_TIMEOUT_MS = 5_000;
  public static final int EXIT_CLEAN = 0;
  public static final int EXIT_FORCED = 1;

  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);
  private static final List<String> SIGNALS = List.of("TERM", "INT");

  private final LoopscopeConfig.Shutdown config;
  private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();
  /** Both guarded by this: a signal's thread and the start-up's completion meet here. */
  private RunningService service;
  private String firstSignal;
  private long signalNanos;

  private GracefulShutdown(LoopscopeConfig.Shutdown config) {
    this.config = config;
  }

  /** Takes over SIGTERM and SIGINT now, before anything starts; then {@link #run} the service. */
  public static GracefulShutdown install(LoopscopeConfig.Shutdown config) {
    GracefulShutdown shutdown = new GracefulShutdown(config);
    shutdown.handleSignals();
    return shutdown;
  }

  /**
   * Blocks until the service, once started, has stopped (0) or the stop was forced (1). A start-up that
   * fails is thrown as it failed; a second signal during start-up exits 1 without waiting for it.
   */
  public int run(Future<RunningService> starting) {
    starting.onComplete(started -> {
      if (started.succeeded()) {
        onStarted(started.result());
      } else {
        exitCode.complete(EXIT_FORCED);
      }
    });
    int code = exitCode.join();
    if (starting.failed()) {
      starting.await();
    }
    return code;
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
        exitCode.join();
      }, "loopscope-shutdown"));
    }
  }

  private synchronized void onSignal(String name) {
    if (firstSignal != null) {
      LOG.warn("{} again: exiting now", name);
      exitCode.complete(EXIT_FORCED);
      return;
    }
    firstSignal = name;
    signalNanos = System.nanoTime();
    if (service == null) {
      LOG.info("{} during start-up: stopping as soon as the service has started", name);
    } else {
      beginStop();
    }
  }

  private synchronized void onStarted(RunningService started) {
    service = started;
    if (firstSignal != null && !exitCode.isDone()) {
      beginStop();
    }
  }

  private void beginStop() {
    // first, before anything that could be slow: load balancers must see DOWN at once
    service.main().beginShutdown();
    long budgetMs = budgetMs(config);
    LOG.info("{}: readiness DOWN; serving {} ms more, then draining in-flight requests for at most {} ms",
      firstSignal, config.readinessDelayMs(), config.drainTimeoutMs());
    CompletableFuture.delayedExecutor(budgetMs, TimeUnit.MILLISECONDS).execute(() -> {
      if (exitCode.complete(EXIT_FORCED)) {
        LOG.warn("Stopping took longer than {} ms: exiting now", budgetMs);
      }
    });
    stop(service).onComplete(stopped -> {
      if (stopped.failed()) {
        LOG.error("Stopping failed", stopped.cause());
      }
      exitCode.complete(stopped.succeeded() ? EXIT_CLEAN : EXIT_FORCED);
    });
  }

  private Future<Void> stop(RunningService service) {
    MainVerticle main = service.main();
    long start = signalNanos;
    // Vert.x's close future belongs to no event loop, so it can still report once they are gone
    Promise<Void> stopped = Promise.promise();
    keepServing(service, config.readinessDelayMs())
      .compose(delayed -> drain(main, start))
      .onComplete(drained -> service.stop()
        .onSuccess(closed -> LOG.info("Stopped {} ms after the signal", Elapsed.msSince(start)))
        .onComplete(stopped));
    return stopped.future();
  }

  private Future<Void> keepServing(RunningService service, long ms) {
    return ms == 0 ? Future.succeededFuture() : service.vertx().timer(ms).mapEmpty();
  }

  private Future<Void> drain(MainVerticle main, long start) {
    LOG.info("Not accepting connections any more; draining");
    return main.drain(config.drainTimeoutMs())
      .onSuccess(drained -> LOG.info("Drained {} ms after the signal; closing", Elapsed.msSince(start)))
      .onFailure(failure -> LOG.warn("Draining failed; closing", failure));
  }

}
