package io.loopscope.loopwatch;

/**
 * LoopWatch's JFR events, committed by its watchdog: {@link EventLoopStallEvent} as each stall ends,
 * {@link EventLoopLagEvent} once a second per loop. Nothing is registered with JFR: an event class registers
 * itself when a recording starts or it is first used (registering at start initialised JFR, which held an
 * event loop 100 to 300 ms), and while no recording asks for them each is dropped at {@code isEnabled()}.
 */
final class JfrEvents {

  private JfrEvents() {
  }

  /** On the watchdog, as {@code report}'s stall ends. */
  static void stallEnded(BlockedReport report) {
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
    String traceId = StallSpans.traceId(report.culpritSpan());
    String spanId = StallSpans.spanId(report.culpritSpan());
    event.traceId = traceId == null ? "" : traceId;
    event.spanId = spanId == null ? "" : spanId;
    StringBuilder stack = new StringBuilder();
    for (StackTraceElement frame : report.stack()) {
      stack.append(frame).append('\n');
    }
    event.stack = stack.toString();
    event.commit();
  }

  /** On the watchdog, once a second, after the probes rolled their last second. */
  static void lastSecond(Iterable<LoopProbe> probes) {
    if (!new EventLoopLagEvent().isEnabled()) {
      return;
    }
    probes.forEach(LoopProbe::commitLag);
  }
}
