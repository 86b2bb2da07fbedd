package io.loopscope.diagnostics;

import jdk.jfr.FlightRecorder;
import jdk.jfr.FlightRecorderListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * LoopWatch's JFR events: {@link EventLoopStallEvent} as each stall ends, {@link EventLoopLagEvent} once a
 * second per loop. Both cost nothing while no recording asks for them: the stall event is dropped at
 * {@code isEnabled()}, and JFR calls the lag hook only during a recording.
 */
final class JfrEvents {

  private static final Logger LOG = LoggerFactory.getLogger(JfrEvents.class);

  private final Runnable lagHook;
  private final FlightRecorderListener whenRecording = new FlightRecorderListener() {
    @Override
    public void recorderInitialized(FlightRecorder recorder) {
      FlightRecorder.addPeriodicEvent(EventLoopLagEvent.class, lagHook);
    }
  };
  private final boolean available;

  /**
   * Nothing is registered with JFR until something starts a recording: initialising JFR takes 100 to 300 ms of
   * the JVM (it held an event loop that long while it deployed). The stall event registers itself as it is first
   * used; the lag hook is added once the recorder exists.
   */
  JfrEvents(List<LoopProbe> probes) {
    this.lagHook = () -> probes.forEach(LoopProbe::commitLag);
    boolean listening;
    try {
      FlightRecorder.addListener(whenRecording);
      listening = true;
    } catch (RuntimeException | LinkageError e) {
      LOG.warn("JFR is unavailable: LoopWatch's stalls and lag will not appear in flight recordings", e);
      listening = false;
    }
    this.available = listening;
  }

  /** On the watchdog, as {@code report}'s stall ends. */
  void stallEnded(BlockedReport report) {
    if (!available) {
      return;
    }
    EventLoopStallEvent event = new EventLoopStallEvent();
    if (!event.isEnabled()) {
      return;
    }
    event.reportId = report.id();
    event.eventLoop = report.threadName();
    event.loop = report.loop() == null ? -1 : report.loop();
    event.pool = report.pool();
    event.route = report.work().name();
    event.culprit = report.culprit() == null ? "" : report.culprit().summary();
    event.stallStart = report.startedAt().toEpochMilli();
    event.stallDuration = report.durationNanos();
    event.traceId = "";
    StringBuilder stack = new StringBuilder();
    for (StackTraceElement frame : report.stack()) {
      stack.append(frame).append('\n');
    }
    event.stack = stack.toString();
    event.commit();
  }

  void stop() {
    if (available) {
      FlightRecorder.removeListener(whenRecording);
      FlightRecorder.removePeriodicEvent(lagHook);
    }
  }
}
