package io.loopscope.cpu;

import io.loopscope.failures.Saturated;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;

import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The article's ProcessPoolExecutor: a dedicated, bounded pool for CPU-heavy jobs, apart from the
 * event loops and from the general blocking pool, so a sort cannot starve either. Its threads are
 * named {@code cpu-N}. When {@code maxQueued} jobs are already waiting or running, new jobs fail fast
 * with 503 instead of queueing without bound.
 */
public final class CpuPool {

  public static final String NAME = "cpu";

  private final WorkerExecutor executor;
  private final int size;
  private final int maxQueued;
  private final AtomicInteger inFlight = new AtomicInteger();

  public CpuPool(Vertx vertx, int size, int maxQueued, long maxExecuteTimeMs) {
    this.executor = vertx.createSharedWorkerExecutor(NAME, size, maxExecuteTimeMs, TimeUnit.MILLISECONDS);
    this.size = size;
    this.maxQueued = maxQueued;
  }

  /** Runs the job on a cpu thread, unordered, so jobs submitted from one event loop run in parallel. */
  public <T> Future<T> submit(Callable<T> job) {
    if (inFlight.incrementAndGet() > maxQueued) {
      inFlight.decrementAndGet();
      return Future.failedFuture(new Saturated("The CPU pool has " + maxQueued + " jobs already (cpu.maxQueued)", 1));
    }
    return executor.executeBlocking(job, false).andThen(done -> inFlight.decrementAndGet());
  }

  public int size() {
    return size;
  }

  /** Jobs waiting or running now. */
  public int inFlight() {
    return inFlight.get();
  }

  public Future<Void> close() {
    return executor.close();
  }
}
