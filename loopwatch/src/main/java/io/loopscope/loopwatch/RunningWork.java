package io.loopscope.loopwatch;

import io.netty.util.concurrent.FastThreadLocal;
import io.opentelemetry.api.trace.Span;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * What each Vert.x thread is running now, as far as a stall report needs to name it: the HTTP route a
 * first router handler saw, or the event-bus address an inbound interceptor saw, stamped with the start
 * of the Vert.x dispatch it belongs to. A stall whose dispatch carries no stamp was something else (a
 * timer, a verticle's start, a plain task), and is named from its stack instead.
 *
 * <p>Writers are the watched threads themselves (two release stores per request: on x86 plain stores, with no
 * fence); the only reader is the watchdog, which never runs anything on those threads.
 */
final class RunningWork {

  /** A kind of work, as reports and metrics label it. */
  public enum Kind { HTTP, EVENT_BUS, TIMER, VERTICLE, TASK }

  /** The running work: its kind and a bounded name ({@code GET /bad-example}, {@code event-bus legacy.users.get}). */
  public record Activity(Kind kind, String name) {
    public String kindLabel() {
      return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  static final String REPLY_PREFIX = "__vertx.reply.";

  /** Slots beyond this many threads share the last recorder index (never reached with a sane loop count). */
  static final int MAX_SLOTS = 64;

  private final Map<Thread, Slot> slots = new ConcurrentHashMap<>();
  private final AtomicInteger indexes = new AtomicInteger();
  private final Function<Thread, LoopProbe> probes;
  private final FastThreadLocal<Slot> slot = new FastThreadLocal<>() {
    @Override
    protected Slot initialValue() {
      Thread current = Thread.currentThread();
      Slot created = new Slot(current);
      slots.put(current, created);
      return created;
    }
  };

  /** @param probes the lag probe of an event-loop thread, or null (looked up again until found) */
  RunningWork(Function<Thread, LoopProbe> probes) {
    this.probes = probes;
  }

  /** The current thread's slot. */
  Slot slot() {
    return slot.get();
  }

  /** The current thread's slot, or null when it never had one. */
  Slot existingSlot() {
    return slot.getIfExists();
  }

  /** The current thread's slot now names {@code work} for the dispatch that began at {@code dispatchStart}. */
  void record(long dispatchStart, Object work) {
    slot.get().stamp(work, dispatchStart);
  }

  /**
   * What {@code thread} was running in the dispatch that started at {@code dispatchStart} (its
   * {@link VertxThread#startTime()}), or null when no tracker stamped that dispatch.
   */
  Activity stamped(Thread thread, long dispatchStart) {
    Object work = stampedWork(thread, dispatchStart);
    if (work == null) {
      return null;
    }
    if (work instanceof RequestRecord request) {
      return new Activity(Kind.HTTP, request.routeName());
    }
    if (work instanceof RoutingContext ctx) {
      return new Activity(Kind.HTTP, routeName(ctx));
    }
    return new Activity(Kind.EVENT_BUS, eventBusName((String) work));
  }

  /** The server span of the request {@code thread} was running in that dispatch; null when none (or tracing is off). */
  Span stampedSpan(Thread thread, long dispatchStart) {
    return stampedWork(thread, dispatchStart) instanceof RequestRecord request && request.trace instanceof Span span
      ? span : null;
  }

  private Object stampedWork(Thread thread, long dispatchStart) {
    Slot stamped = slots.get(thread);
    if (stamped == null || stamped.dispatchStart != dispatchStart) {
      return null;
    }
    return stamped.work; // stored before its stamp
  }

  /** {@code event-bus legacy.users.get}; replies, whose addresses are made per message, are one name. */
  static String eventBusName(String address) {
    return "event-bus " + (address.startsWith(REPLY_PREFIX) ? "(reply)" : address);
  }

  /** {@code GET /users/:id/overview}: the method and the template of the route now serving {@code ctx}. */
  static String routeName(RoutingContext ctx) {
    return ctx.request().method().name() + " " + routeTemplate(ctx.currentRoute());
  }

  /** Route templates, never raw paths: the name becomes a metric label, so it must stay bounded. */
  private static String routeTemplate(Route route) {
    if (route == null) {
      return "(no route)";
    }
    if (route.getPath() != null) {
      return route.getPath();
    }
    return route.getName() != null ? route.getName() : "(unmatched)";
  }

  /** Names work no tracker stamped, from the blocked thread's stack (index 0 is the innermost frame). */
  static Activity fromStack(StackTraceElement[] stack) {
    for (int i = 0; i < stack.length; i++) {
      if (VertxInternals.isTimerDispatch(stack[i])) {
        int handler = i > 0 ? i - 1 : i;
        if (synthetic(stack[handler]) && handler > 0) {
          handler--; // the method the timer's lambda calls
        }
        return new Activity(Kind.TIMER, "timer " + frameName(stack[handler]));
      }
    }
    StackTraceElement entry = outermostApplicationFrame(stack);
    for (StackTraceElement frame : stack) {
      if (VertxInternals.isDeployment(frame)) {
        return new Activity(Kind.VERTICLE, "verticle " + (entry == null ? "(unknown)" : frameName(entry)));
      }
    }
    return new Activity(Kind.TASK, "task " + (entry == null ? "(framework)" : frameName(entry)));
  }

  /**
   * The frame where application code was entered: the outermost one not in the JDK, Netty or Vert.x,
   * or, when that is a lambda's synthetic class, the method the lambda calls.
   */
  private static StackTraceElement outermostApplicationFrame(StackTraceElement[] stack) {
    for (int i = stack.length - 1; i >= 0; i--) {
      if (!framework(stack[i])) {
        return synthetic(stack[i]) && i > 0 && !framework(stack[i - 1]) ? stack[i - 1] : stack[i];
      }
    }
    return null;
  }

  /** Not the application's: the JDK, Netty, Vert.x, or, when the application named its packages, anything else. */
  static boolean framework(StackTraceElement frame) {
    return !ApplicationFrames.application(frame);
  }

  /** A lambda's hidden class ({@code Foo$$Lambda$416/0x..}): its name changes from run to run. */
  static boolean synthetic(StackTraceElement frame) {
    return frame.getClassName().contains("$$Lambda");
  }

  /** {@code DiagnosticsFixture.lambda$start$0}: the simple class name keeps labels short; lambda classes lose their run-specific suffix. */
  static String frameName(StackTraceElement frame) {
    String className = frame.getClassName();
    int lambda = className.indexOf("$$Lambda");
    String stable = lambda < 0 ? className : className.substring(0, lambda) + "$$Lambda";
    return stable.substring(stable.lastIndexOf('.') + 1) + "." + frame.getMethodName();
  }

  void clear() {
    slots.clear();
  }

  private static final VarHandle WORK;
  private static final VarHandle DISPATCH_START;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      WORK = lookup.findVarHandle(Slot.class, "work", Object.class);
      DISPATCH_START = lookup.findVarHandle(Slot.class, "dispatchStart", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /**
   * One thread's state. {@code work} and {@code dispatchStart} are read by the watchdog; the rest only by
   * the thread itself: the request whose first dispatch it runs now, and the loop's lag probe.
   */
  final class Slot {
    final Thread thread;
    private int index = -1;
    volatile Object work;
    volatile long dispatchStart;
    RequestRecord firstDispatch;
    /** The dispatch stamp and end time of the last first dispatch timed on this thread. */
    long lastEndStamp;
    long lastEndNanos;
    private LoopProbe probe;
    private boolean notALoop;

    Slot(Thread thread) {
      this.thread = thread;
      this.notALoop = !VertxInternals.isEventLoop(thread);
    }

    /** On the slot's thread: it now runs {@code running} in the dispatch stamped {@code start}. Release stores: readers that see the stamp see the work. */
    void stamp(Object running, long start) {
      WORK.setRelease(this, running);
      DISPATCH_START.setRelease(this, start);
    }

    /** This thread's recorder index, given on first use: only recording threads take one. */
    int index() {
      if (index < 0) {
        index = Math.min(indexes.getAndIncrement(), MAX_SLOTS - 1);
      }
      return index;
    }

    /** This loop's probe; null on other threads. */
    LoopProbe probe() {
      if (probe == null && !notALoop) {
        probe = probes.apply(thread);
      }
      return probe;
    }
  }
}
