package io.loopscope.loopwatch;

import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.spi.metrics.PoolMetrics;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every Vert.x pool's queue as LoopWatch sees it through Vert.x's pool-metrics SPI (the blocking pool behind
 * {@code executeBlocking}, named worker executors such as {@code cpu}, worker verticles' pools such as
 * {@code legacy}): for each task, who submitted it, how long it waited and ran. Work that waited longer than
 * {@code diagnostics.queueThresholdMs} while half or more of its pool's threads were busy as it left the queue
 * waited for a thread: saturation. Work that waited longer than the threshold and longer than it then ran,
 * while most threads were idle both when it was submitted and when it left the queue, waited for its turn in
 * an ordered queue (ordered {@code executeBlocking}, a worker verticle): serialisation. Shorter waits with idle
 * threads are a busy machine starting threads late, not a queue.
 */
final class PoolWatch {

  /** What a pool's waiting work told LoopWatch: called on the pool's threads. */
  interface Listener {
    void saturated(Pool pool, String route, long queuedNanos, int queueDepth);

    void serialised(Pool pool, String route, long queuedNanos, long runNanos);
  }

  /** One pool, with its live figures. */
  static final class Pool {
    final String type;
    final String name;
    final int maxSize;
    final AtomicInteger queued = new AtomicInteger();
    final AtomicInteger running = new AtomicInteger();

    Pool(String type, String name, int maxSize) {
      this.type = type;
      this.name = name;
      this.maxSize = maxSize;
    }
  }

  /** One task, from its submission to its end. */
  static final class Task {
    final long enqueuedAt = System.nanoTime();
    final RequestRecord request;
    final String route;
    boolean idleAtEnqueue;
    boolean threadsIdle;
    Object innerQueued;
    long queuedNanos;
    long begunAt;
    Object innerRun;

    Task(RequestRecord request, String route) {
      this.request = request;
      this.route = route;
    }
  }

  private final List<Pool> pools = new CopyOnWriteArrayList<>();
  private final FastThreadLocal<Task> dequeued = new FastThreadLocal<>();
  private volatile RunningWork running;
  private volatile Listener listener;
  private volatile long thresholdNanos = Long.MAX_VALUE;

  /** LoopWatch starts reading: tasks from now on are named after the work that submitted them. */
  void attach(RunningWork running, long queueThresholdMs, Listener listener) {
    this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(queueThresholdMs);
    this.listener = listener;
    this.running = running;
  }

  void detach() {
    running = null;
    listener = null;
  }

  List<Pool> pools() {
    return List.copyOf(pools);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  PoolMetrics<?, ?> watch(String type, String name, int maxSize, PoolMetrics<?, ?> inner) {
    Pool pool = new Pool(type, name, maxSize);
    pools.add(pool);
    return new Watched(pool, (PoolMetrics) inner);
  }

  /** On the submitting thread: the request its context serves, or the event-bus address its current dispatch does. */
  private Task submitted(Pool pool) {
    RunningWork work = running;
    if (work == null) {
      return new Task(null, null);
    }
    RequestRecord request = VertxInternals.currentRequest();
    if (request != null) {
      return new Task(request, null);
    }
    RunningWork.Slot slot = work.existingSlot();
    Object current = slot == null || slot.dispatchStart != VertxInternals.dispatchStart(slot.thread) ? null : slot.work;
    return new Task(null, current instanceof String address ? RunningWork.eventBusName(address) : null);
  }

  /** Fewer than half the pool's threads busy, counting {@code taking} threads about to begin a task. */
  private static boolean mostlyIdle(Pool pool, int taking) {
    return pool.maxSize > 0 && (pool.running.get() + taking) * 2 < pool.maxSize;
  }

  private String routeOf(Task task) {
    if (task.request != null) {
      return task.request.routeName();
    }
    return task.route != null ? task.route : "(unknown)";
  }

  private final class Watched implements PoolMetrics<Task, Task> {
    private final Pool pool;
    private final PoolMetrics<Object, Object> inner;

    Watched(Pool pool, PoolMetrics<Object, Object> inner) {
      this.pool = pool;
      this.inner = inner;
    }

    @Override
    public Task enqueue() {
      Task task = submitted(pool);
      task.idleAtEnqueue = mostlyIdle(pool, 0);
      pool.queued.incrementAndGet();
      if (inner != null) {
        task.innerQueued = inner.enqueue();
      }
      return task;
    }

    @Override
    public void dequeue(Task task) {
      if (task == null) {
        return;
      }
      task.queuedNanos = System.nanoTime() - task.enqueuedAt;
      int depth = pool.queued.decrementAndGet();
      if (inner != null) {
        inner.dequeue(task.innerQueued);
      }
      dequeued.set(task);
      // the thread dequeuing it is about to run it: without it, a one-thread pool was never busy here, never saturated
      task.threadsIdle = mostlyIdle(pool, 1);
      Listener told = listener;
      if (told != null && !task.threadsIdle && task.queuedNanos > thresholdNanos) {
        told.saturated(pool, routeOf(task), task.queuedNanos, depth + 1);
      }
    }

    @Override
    public Task begin() {
      Task task = dequeued.get();
      dequeued.remove();
      pool.running.incrementAndGet();
      Object innerRun = inner != null ? inner.begin() : null;
      if (task == null) {
        task = new Task(null, null);
      }
      task.innerRun = innerRun;
      task.begunAt = System.nanoTime();
      return task;
    }

    @Override
    public void end(Task task) {
      pool.running.decrementAndGet();
      if (task == null) {
        return;
      }
      if (inner != null) {
        inner.end(task.innerRun);
      }
      long runNanos = System.nanoTime() - task.begunAt;
      if (task.request != null) {
        task.request.workerRan(task.queuedNanos, runNanos);
      }
      Listener told = listener;
      boolean named = task.request != null || task.route != null; // not start-up work
      if (told != null && named && task.idleAtEnqueue && task.threadsIdle && task.queuedNanos > runNanos
        && task.queuedNanos > thresholdNanos) {
        told.serialised(pool, routeOf(task), task.queuedNanos, runNanos);
      }
    }

    @Override
    public void close() {
      pools.remove(pool);
      if (inner != null) {
        inner.close();
      }
    }
  }
}
