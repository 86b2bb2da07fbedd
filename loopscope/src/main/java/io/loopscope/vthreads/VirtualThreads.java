package io.loopscope.vthreads;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Code written top to bottom, run on virtual threads: {@code instances} verticles deployed with
 * {@link ThreadingModel#VIRTUAL_THREAD}, each a Vert.x context whose tasks run on virtual threads and
 * may {@code future.await()}. {@link #run} hands work to an idle one and answers on the caller's context.
 *
 * <p>Two Vert.x 5.0.x limits shape this. A context runs one task at a time and lets the next one in
 * only while a task awaits a Vert.x future; a task parked any other way ({@code Thread.sleep}, a blocking
 * JDK call) keeps the rest of its context's tasks waiting, so the work is spread over many cheap
 * instances (a context each, no threads of their own). And every instance of one deployment shares
 * one event loop (Vert.x issue 5924), which carries their timers and client connections.
 */
public final class VirtualThreads {

  /** The Java feature release virtual threads arrived in. */
  public static final int JAVA_RELEASE = 21;

  private final Vertx vertx;
  private final List<Context> contexts = new CopyOnWriteArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  /** Tasks queued or running per instance, by index in {@link #contexts}. */
  private final AtomicIntegerArray inFlight;

  private VirtualThreads(Vertx vertx, int instances) {
    this.vertx = vertx;
    this.inFlight = new AtomicIntegerArray(instances);
  }

  /** True when this Java runs virtual threads (21+); the build targets 17, where it is false. */
  public static boolean supported() {
    return Runtime.version().feature() >= JAVA_RELEASE;
  }

  /** Deploys the instances; on Java 17 deploys nothing and {@link #available()} stays false. */
  public static Future<VirtualThreads> deploy(Vertx vertx, int instances) {
    VirtualThreads threads = new VirtualThreads(vertx, instances);
    if (!supported()) {
      return Future.succeededFuture(threads);
    }
    return vertx.deployVerticle(() -> new ContextHolder(threads.contexts),
        new DeploymentOptions().setThreadingModel(ThreadingModel.VIRTUAL_THREAD).setInstances(instances))
      .map(threads);
  }

  public boolean available() {
    return !contexts.isEmpty();
  }

  /**
   * Runs {@code work} on a virtual thread of an idle instance (else the least busy one); the future
   * completes on the calling context, so the caller answers from its own event loop. Call only when
   * {@link #available()}.
   */
  public <T> Future<T> run(Callable<T> work) {
    Promise<T> answer = ((ContextInternal) vertx.getOrCreateContext()).promise();
    int instance = leastBusy();
    inFlight.incrementAndGet(instance);
    contexts.get(instance).runOnContext(v -> {
      try {
        answer.complete(work.call());
      } catch (Exception e) {
        answer.fail(e);
      } finally {
        inFlight.decrementAndGet(instance);
      }
    });
    return answer.future();
  }

  /**
   * The first idle instance from a rotating start, else the one with the fewest tasks: a task that
   * blocks without awaiting holds up every task queued behind it on its instance, whatever its route.
   */
  private int leastBusy() {
    int size = contexts.size();
    int start = Math.floorMod(next.getAndIncrement(), size);
    int best = start;
    for (int i = 0; i < size; i++) {
      int candidate = (start + i) % size;
      int tasks = inFlight.get(candidate);
      if (tasks == 0) {
        return candidate;
      }
      if (tasks < inFlight.get(best)) {
        best = candidate;
      }
    }
    return best;
  }

  /** The instances' contexts, in the order they started (a test shows they share one event loop). */
  public List<Context> contexts() {
    return List.copyOf(contexts);
  }

  /** A virtual-thread verticle that only lends its context: the work arrives through {@link #run}. */
  private static final class ContextHolder extends VerticleBase {
    private final List<Context> contexts;

    ContextHolder(List<Context> contexts) {
      this.contexts = contexts;
    }

    @Override
    public Future<?> start() {
      contexts.add(context);
      return Future.succeededFuture();
    }
  }
}
