package io.loopscope.loopwatch;

import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.http.HttpServerRequestInternal;
import io.vertx.core.spi.context.storage.AccessMode;
import io.vertx.core.spi.context.storage.ContextLocal;
import io.vertx.core.impl.VertxThread;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.internal.VertxBootstrap;
import io.vertx.core.impl.VertxBootstrapImpl;
import io.vertx.core.spi.metrics.VertxMetrics;
import io.vertx.core.internal.threadchecker.BlockedThreadEvent;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * Every place LoopWatch reads Vert.x internals ({@code VertxInternal}, {@code VertxThread}, the blocked-thread
 * checker, Vert.x class names in stacks): an upgrade of Vert.x has this one class to check. Written against
 * Vert.x 5.0.7, where {@code VertxThread.startTime()} is the start of the thread's current dispatch (0 between
 * dispatches), set by {@code executeStart} as a context begins a dispatch.
 */
final class VertxInternals {

  /**
   * The request a (duplicated) request context serves, so that work it submits later, from a continuation
   * such as a body's end, is still its own. Registered when this class loads, which LoopWatch makes happen
   * before the Vert.x it watches is built: a Vert.x built earlier has no slot for it.
   */
  private static final ContextLocal<RequestRecord> REQUEST = ContextLocal.registerLocal(RequestRecord.class);
  /** Plain array access: the request local is only touched by its context's own event loop. */
  private static final AccessMode LOOP_ONLY = new AccessMode() {
    @Override
    public Object get(Object[] locals, int index) {
      return locals[index];
    }

    @Override
    public void put(Object[] locals, int index, Object value) {
      locals[index] = value;
    }

    @Override
    public Object getOrCreate(Object[] locals, int index, Supplier<Object> initialValueSupplier) {
      Object value = locals[index];
      if (value == null) {
        value = initialValueSupplier.get();
        locals[index] = value;
      }
      return value;
    }
  };
  private static final String TIMER_HANDLER = "io.vertx.core.impl.VertxImpl$InternalTimerHandler";
  private static final String DEPLOYMENT_PACKAGE = "io.vertx.core.impl.deployment.";

  private VertxInternals() {
  }

  /** Loads this class, and so registers the request local; call before building the Vert.x to watch. */
  static void init() {
    // the static initialiser did it
  }

  /** Marks the current context (each HTTP request has a duplicated one) as serving {@code request}. */
  static void putRequest(RequestRecord request) {
    Context context = Vertx.currentContext();
    if (context != null) {
      try {
        REQUEST.put(context, LOOP_ONLY, request);
      } catch (IndexOutOfBoundsException builtBeforeRegistration) {
        // that Vert.x was built before LoopWatch loaded: its requests are known by their first dispatch only
      }
    }
  }

  /** The request the current context serves, on that context's thread; null when it serves none. */
  static RequestRecord currentRequest() {
    Context context = Vertx.currentContext();
    if (context == null) {
      return null;
    }
    try {
      return REQUEST.get(context, LOOP_ONLY);
    } catch (IndexOutOfBoundsException builtBeforeRegistration) {
      return null;
    }
  }

  /** The record {@link WatchedHttpServerMetrics} made for {@code request}, or null (a Vert.x built without it). */
  static RequestRecord requestRecord(HttpServerRequest request) {
    return request instanceof HttpServerRequestInternal internal && internal.metric() instanceof RequestRecord record
      ? record : null;
  }

  /** LoopWatch's metrics, when this Vert.x was built with {@link WatchedMetricsFactory}; else null. */
  static WatchedVertxMetrics watchedMetrics(Vertx vertx) {
    return ((VertxInternal) vertx).metrics() instanceof WatchedVertxMetrics watched ? watched : null;
  }

  static List<EventExecutor> eventLoops(Vertx vertx) {
    List<EventExecutor> loops = new ArrayList<>();
    ((VertxInternal) vertx).nettyEventLoopGroup().forEach(loops::add);
    return loops;
  }

  /**
   * Replaces the checker's logging with {@code blocked}, called on the checker's thread each tick for each
   * Vert.x thread past its limit, with the thread and its limit in nanoseconds; null restores the logging.
   */
  static void onBlockedThread(Vertx vertx, BiConsumer<Thread, Long> blocked) {
    ((VertxInternal) vertx).blockedThreadChecker()
      .setThreadBlockedHandler(blocked == null ? null : (BlockedThreadEvent event) -> {
        if (event.thread() instanceof VertxThread) {
          blocked.accept(event.thread(), event.maxExecTime());
        }
      });
  }

  /** The start (System.nanoTime) of the dispatch {@code thread} runs now; 0 between dispatches or for a non-Vert.x thread. */
  static long dispatchStart(Thread thread) {
    return thread instanceof VertxThread vertxThread ? vertxThread.startTime() : 0;
  }

  static boolean isVertxThread(Thread thread) {
    return thread instanceof VertxThread;
  }

  /** A Vert.x event-loop thread (a Vert.x thread that is not a worker). */
  static boolean isEventLoop(Thread thread) {
    return thread instanceof VertxThread vertxThread && !vertxThread.isWorker();
  }

  /** The frame of Vert.x's timer dispatch: the frame above it is the timer's handler. */
  static boolean isTimerDispatch(StackTraceElement frame) {
    return frame.getClassName().startsWith(TIMER_HANDLER);
  }

  /** A frame of Vert.x's verticle deployment (a verticle's start or stop). */
  static boolean isDeployment(StackTraceElement frame) {
    return frame.getClassName().startsWith(DEPLOYMENT_PACKAGE);
  }

  /** The metrics a Vert.x being built will get so far (set by a metrics factory's {@code init}, or null). */
  static VertxMetrics metricsOf(VertxBootstrap bootstrap) {
    return ((VertxBootstrapImpl) bootstrap).metrics();
  }

  static void metrics(VertxBootstrap bootstrap, VertxMetrics metrics) {
    ((VertxBootstrapImpl) bootstrap).metrics(metrics);
  }
}
