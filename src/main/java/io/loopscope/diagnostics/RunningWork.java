package io.loopscope.diagnostics;

import io.netty.util.concurrent.FastThreadLocal;
import io.vertx.core.Handler;
import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.impl.VertxThread;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each Vert.x thread is running now, as far as a stall report needs to name it: the HTTP route a
 * first router handler saw, or the event-bus address an inbound interceptor saw, stamped with the start
 * of the Vert.x dispatch it belongs to. A stall whose dispatch carries no stamp was something else (a
 * timer, a verticle's start, a plain task), and is named from its stack instead.
 *
 * <p>Writers are the watched threads themselves (two volatile writes per request); the only reader is
 * the watchdog, which never runs anything on those threads.
 */
public final class RunningWork {

  /** A kind of work, as reports and metrics label it. */
  public enum Kind { HTTP, EVENT_BUS, TIMER, VERTICLE, TASK }

  /** The running work: its kind and a bounded name ({@code GET /bad-example}, {@code event-bus legacy.users.get}). */
  public record Activity(Kind kind, String name) {
    public String kindLabel() {
      return kind.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  static final String REPLY_PREFIX = "__vertx.reply.";

  private final Map<Thread, Slot> slots = new ConcurrentHashMap<>();
  private final FastThreadLocal<Slot> slot = new FastThreadLocal<>() {
    @Override
    protected Slot initialValue() {
      Slot created = new Slot();
      slots.put(Thread.currentThread(), created);
      return created;
    }
  };

  private final Handler<RoutingContext> routeTracker = ctx -> {
    requestStarted(ctx);
    ctx.next();
  };
  private final Handler<DeliveryContext<Object>> eventBusTracker = delivery -> {
    stamp(delivery.message().address());
    delivery.next();
  };

  /** A first router handler: marks the current dispatch as serving this request. */
  public Handler<RoutingContext> routeTracker() {
    return routeTracker;
  }

  /** An event-bus inbound interceptor: marks the current dispatch as consuming this message (one instance, so it can be removed). */
  public Handler<DeliveryContext<Object>> eventBusTracker() {
    return eventBusTracker;
  }

  /** Marks the current dispatch as serving {@code ctx}'s request. */
  void requestStarted(RoutingContext ctx) {
    stamp(ctx);
  }

  private void stamp(Object work) {
    if (Thread.currentThread() instanceof VertxThread thread) {
      record(thread.startTime(), work);
    }
  }

  /** The current thread's slot now names {@code work} for the dispatch that began at {@code dispatchStart}. */
  void record(long dispatchStart, Object work) {
    Slot mine = slot.get();
    mine.work = work;
    mine.dispatchStart = dispatchStart;
  }

  /**
   * What {@code thread} was running in the dispatch that started at {@code dispatchStart} (its
   * {@link VertxThread#startTime()}), or null when no tracker stamped that dispatch.
   */
  Activity stamped(Thread thread, long dispatchStart) {
    Slot stamped = slots.get(thread);
    if (stamped == null) {
      return null;
    }
    Object work = stamped.work;
    if (stamped.dispatchStart != dispatchStart || work == null) {
      return null;
    }
    if (work instanceof RoutingContext ctx) {
      return new Activity(Kind.HTTP, routeName(ctx));
    }
    String address = (String) work;
    return new Activity(Kind.EVENT_BUS, "event-bus " + (address.startsWith(REPLY_PREFIX) ? "(reply)" : address));
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
      if (stack[i].getClassName().startsWith("io.vertx.core.impl.VertxImpl$InternalTimerHandler")) {
        int handler = i > 0 ? i - 1 : i;
        if (synthetic(stack[handler]) && handler > 0) {
          handler--; // the method the timer's lambda calls
        }
        return new Activity(Kind.TIMER, "timer " + frameName(stack[handler]));
      }
    }
    StackTraceElement entry = outermostApplicationFrame(stack);
    for (StackTraceElement frame : stack) {
      if (frame.getClassName().startsWith("io.vertx.core.impl.deployment.")) {
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

  private static boolean framework(StackTraceElement frame) {
    String name = frame.getClassName();
    return name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")
      || name.startsWith("io.netty.") || name.startsWith("io.vertx.");
  }

  /** A lambda's hidden class ({@code Foo$$Lambda$416/0x..}): its name changes from run to run. */
  private static boolean synthetic(StackTraceElement frame) {
    return frame.getClassName().contains("$$Lambda");
  }

  /** {@code DiagnosticsFixture.lambda$start$0}: the simple class name keeps labels short; lambda classes lose their run-specific suffix. */
  private static String frameName(StackTraceElement frame) {
    String className = frame.getClassName();
    int lambda = className.indexOf("$$Lambda");
    String stable = lambda < 0 ? className : className.substring(0, lambda) + "$$Lambda";
    return stable.substring(stable.lastIndexOf('.') + 1) + "." + frame.getMethodName();
  }

  void clear() {
    slots.clear();
  }

  private static final class Slot {
    volatile Object work;
    volatile long dispatchStart;
  }
}
