package io.loopscope.bench;

import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A bench run from the command line: progress on stderr, and Ctrl-C (or SIGTERM) stops sending and lets
 * the caller print and save what was measured before the JVM exits. Call {@link #finished()} once that is done.
 */
public final class CommandLineRun {

  private static final Duration STOP_GRACE = Duration.ofSeconds(1);
  private static final long REPORT_WAIT_SECONDS = 10;

  private final Vertx vertx;
  private final LoadSettings settings;
  private final Progress.Style style;
  private final PrintStream err;
  private final CountDownLatch reported = new CountDownLatch(1);
  private Thread interruptHook;

  public CommandLineRun(Vertx vertx, LoadSettings settings, Progress.Style style, PrintStream err) {
    this.vertx = vertx;
    this.settings = settings;
    this.style = style;
    this.err = err;
  }

  /** Blocks the calling (non-Vert.x) thread until every target was measured, or until Ctrl-C plus a short grace. */
  public List<EndpointResult> run(List<Endpoint> targets) {
    BenchRunner runner = new BenchRunner(vertx, settings);
    interruptHook = new Thread(() -> {
      err.println();
      err.println("bench: interrupted, reporting what was measured so far");
      runner.stop(STOP_GRACE);
      awaitReported();
    }, "loopscope-bench-interrupt");
    Runtime.getRuntime().addShutdownHook(interruptHook);
    Progress progress = Progress.start(vertx, runner, err, style);
    try {
      return runner.run(targets).await();
    } catch (RuntimeException failure) {
      finished();
      throw failure;
    } finally {
      if (progress != null) {
        progress.stop();
      }
    }
  }

  /** The results were printed and saved: an interrupted JVM may now exit. */
  public void finished() {
    reported.countDown();
    try {
      Runtime.getRuntime().removeShutdownHook(interruptHook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running: it returns now that the results are out
    }
  }

  private void awaitReported() {
    try {
      reported.await(REPORT_WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
