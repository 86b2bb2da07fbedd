package io.loopscope.loopwatch;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/**
 * LoopWatch's eyes on the virtual threads that the {@code /vt} routes run on, which Vert.x's own
 * blocked-thread checker never sees (it watches platform {@code VertxThread}s only). Two ways a virtual
 * thread holds its carrier past {@code diagnostics.blockThresholdMs}, both checked by the watchdog every
 * check interval from each tracked thread's state ({@code RUNNABLE} and mounted on a carrier, see
 * {@link #mounted}; runnable but waiting for a carrier; {@code WAITING}/{@code TIMED_WAITING} = parked):
 * <ul>
 *   <li><b>hogging</b>: mounted in every check for longer than the threshold: it runs on the CPU without
 *   parking (virtual threads are never preempted). Reported with the stack read at that moment.</li>
 *   <li><b>pinned</b>: parked for longer than the threshold with {@code VirtualThread.parkOnCarrierThread}
 *   on its stack: it blocked where it cannot unmount, so its carrier blocks with it. Reported at once;
 *   the JDK's own JFR {@code jdk.VirtualThreadPinned} event, streamed in process, arrives after the
 *   pinning ended and the stream flushed (about a second) and completes the report with the exact
 *   duration and, on Java 24+, the reason. A pinning the checks missed is reported from the event alone.</li>
 * </ul>
 */
final class VirtualThreadWatch {

  static final String POOL = "virtual-thread";
  static final String PINNED_EVENT = "jdk.VirtualThreadPinned";
  private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadWatch.class);
  /** Finished tasks remembered for pinning events that arrive after their task ended. */
  private static final int REMEMBERED = 4096;

  private final long thresholdNanos;
  private final AtomicLong ids;
  private final Consumer<BlockedReport> detected;
  private final BiConsumer<BlockedReport, Long> finished;
  private final Map<Thread, Task> running = new ConcurrentHashMap<>();
  private final Map<Long, Task> recent = new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Task> eldest) {
      return size() > REMEMBERED;
    }
  };
  private RecordingStream pinning;
  private long lastCheckNanos;
  private boolean stopped;
  private final Object lifecycle = new Object();

  /** One piece of work on a virtual thread, and what the watchdog has seen of it. */
  private static final class Task {
    final Thread thread;
    final String route;
    final long startNanos;
    long runnableSinceNanos;
    long parkedSinceNanos;
    boolean stackRead;
    BlockedReport report;
    /** The last pinning the watchdog saw as it happened, until JFR's event for it arrives. */
    BlockedReport livePinned;
    boolean done;

    Task(Thread thread, String route, long startNanos) {
      this.thread = thread;
      this.route = route;
      this.startNanos = startNanos;
    }
  }

  VirtualThreadWatch(LoopWatchOptions config, AtomicLong ids, Consumer<BlockedReport> detected,
                     BiConsumer<BlockedReport, Long> finished) {
    this.thresholdNanos = TimeUnit.MILLISECONDS.toNanos(config.getBlockThresholdMs());
    this.ids = ids;
    this.detected = detected;
    this.finished = finished;
  }

  /** Starts the JFR stream; on Java 17, or where JFR is unavailable, pinning goes unwatched (logged). */
  void start() {
    synchronized (lifecycle) {
      if (stopped || Runtime.version().feature() < 21) {
        return;
      }
      try {
        pinning = new RecordingStream();
        pinning.enable(PINNED_EVENT).withThreshold(Duration.ofNanos(thresholdNanos)).withStackTrace();
        pinning.setMaxAge(Duration.ofSeconds(10));
        pinning.onEvent(PINNED_EVENT, this::onPinned);
        pinning.startAsync();
      } catch (RuntimeException e) {
        LOG.warn("JFR is unavailable: virtual threads pinned to their carrier will not be reported", e);
        pinning = null;
      }
    }
  }

  void stop() {
    synchronized (lifecycle) {
      stopped = true;
      if (pinning != null) {
        pinning.close();
      }
    }
    running.clear();
  }

  /** {@code work}, run on a virtual thread, as {@code route}: watched while it runs, remembered after. */
  <T> Callable<T> tracked(String route, Callable<T> work) {
    return () -> {
      Task task = new Task(Thread.currentThread(), route, System.nanoTime());
      running.put(task.thread, task);
      synchronized (recent) {
        recent.put(task.thread.getId(), task);
      }
      try {
        return work.call();
      } finally {
        running.remove(task.thread, task);
        synchronized (this) {
          task.done = true;
          end(task, System.nanoTime());
        }
      }
    };
  }

  /** On the watchdog, every check interval. */
  void check() {
    long now = System.nanoTime();
    for (Task task : running.values()) {
      check(task, now);
    }
    lastCheckNanos = now;
  }

  private synchronized void check(Task task, long now) {
    if (task.done) {
      return;
    }
    Thread.State state = task.thread.getState();
    boolean onCpu = state == Thread.State.RUNNABLE && mounted(task.thread);
    boolean parked = state != Thread.State.RUNNABLE;
    if (task.report != null && (task.report.pinned() ? !parked : !onCpu)) {
      end(task, now); // a hog that let go of its carrier, or a pinned thread that woke up
    }
    if (!onCpu && !parked) {
      // runnable but waiting for a carrier: neither hogging nor pinned (yet)
      task.runnableSinceNanos = 0;
      task.parkedSinceNanos = 0;
    } else if (onCpu) {
      task.parkedSinceNanos = 0;
      if (task.runnableSinceNanos == 0) {
        // not seen parked since it started, if that was after the last check
        task.runnableSinceNanos = task.startNanos > lastCheckNanos ? task.startNanos : now;
      } else if (task.report == null && now - task.runnableSinceNanos > thresholdNanos) {
        report(task, task.runnableSinceNanos, now, false);
      }
    } else {
      task.runnableSinceNanos = 0;
      if (task.parkedSinceNanos == 0) {
        task.parkedSinceNanos = now;
        task.stackRead = false;
      } else if (task.report == null && !task.stackRead && now - task.parkedSinceNanos > thresholdNanos) {
        // parked long enough to matter: if it parked on its carrier, it is pinned now (JFR adds why, later)
        task.stackRead = true;
        StackTraceElement[] stack = task.thread.getStackTrace();
        if (parkedOnCarrier(stack)) {
          report(task, task.parkedSinceNanos, now, true, stack);
        }
      }
    }
  }

  private void report(Task task, long sinceNanos, long now, boolean pinned) {
    report(task, sinceNanos, now, pinned, task.thread.getStackTrace());
  }

  private void report(Task task, long sinceNanos, long now, boolean pinned, StackTraceElement[] stack) {
    task.report = new BlockedReport(ids.incrementAndGet(), task.thread, POOL, null, work(task.route, stack),
      sinceNanos, now, thresholdNanos, stack).onVirtualThread(pinned, null);
    if (pinned) {
      task.livePinned = task.report;
    }
    detected.accept(task.report);
  }

  /**
   * True while the virtual thread is mounted on a carrier: its {@code toString()} then ends with
   * {@code /runnable@<carrier>} (a runnable one waiting for a carrier shows {@code /runnable} alone).
   * {@code Thread.getState()} says {@code RUNNABLE} for both, and the JDK has no public API for the difference.
   */
  static boolean mounted(Thread thread) {
    String text = thread.toString();
    int state = text.lastIndexOf("]/");
    return state >= 0 && text.indexOf('@', state) > 0;
  }

  private static boolean parkedOnCarrier(StackTraceElement[] stack) {
    for (StackTraceElement frame : stack) {
      if (frame.getClassName().equals("java.lang.VirtualThread") && frame.getMethodName().equals("parkOnCarrierThread")) {
        return true;
      }
    }
    return false;
  }

  private void end(Task task, long now) {
    BlockedReport report = task.report;
    if (report != null) {
      task.report = null;
      finished.accept(report, now);
    }
  }

  /** On the JFR stream's thread, about a second after the pinning ended. */
  private void onPinned(RecordedEvent event) {
    long now = System.nanoTime();
    long startNanos = now - Duration.between(event.getStartTime(), Instant.now()).toNanos();
    long id = event.getThread() == null ? -1 : event.getThread().getJavaThreadId();
    Task task;
    synchronized (recent) {
      task = recent.get(id);
    }
    String reason = event.hasField("pinnedReason") ? event.getString("pinnedReason") : null;
    BlockedReport seen = task == null ? null : takeLivePinned(task);
    if (seen != null) {
      seen.confirmedByJfr(event.getDuration().toNanos(), reason);
      return;
    }
    StackTraceElement[] stack = stackOf(event);
    String threadName = task != null ? task.thread.getName() : event.getThread() == null ? "(unknown)" : event.getThread().getJavaName();
    BlockedReport report = new BlockedReport(ids.incrementAndGet(), threadName, POOL, null,
      work(task == null ? null : task.route, stack), startNanos, now, thresholdNanos, stack).onVirtualThread(true, null)
      .confirmedByJfr(event.getDuration().toNanos(), reason);
    detected.accept(report);
  }

  private synchronized BlockedReport takeLivePinned(Task task) {
    BlockedReport seen = task.livePinned;
    task.livePinned = null;
    return seen;
  }

  private static RunningWork.Activity work(String route, StackTraceElement[] stack) {
    return route != null ? new RunningWork.Activity(RunningWork.Kind.HTTP, route) : RunningWork.fromStack(stack);
  }

  private static StackTraceElement[] stackOf(RecordedEvent event) {
    if (event.getStackTrace() == null) {
      return new StackTraceElement[0];
    }
    List<RecordedFrame> frames = event.getStackTrace().getFrames();
    return frames.stream().map(frame -> new StackTraceElement(frame.getMethod().getType().getName(),
      frame.getMethod().getName(), null, frame.getLineNumber())).toArray(StackTraceElement[]::new);
  }
}
