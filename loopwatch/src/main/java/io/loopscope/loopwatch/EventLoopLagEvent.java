package io.loopscope.loopwatch;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * One event loop's scheduling delay over the last second, as a JFR event: committed by LoopWatch's watchdog once a
 * second per loop while a recording asks for it ({@code jcmd PID JFR.start}, {@code -XX:StartFlightRecording}),
 * and not at all otherwise.
 */
@Name(EventLoopLagEvent.NAME)
@Label("Event-Loop Lag")
@Category({"loopscope", "LoopWatch"})
@Description("How late one event loop ran its heartbeat over the last second")
@StackTrace(false)
public final class EventLoopLagEvent extends Event {

  public static final String NAME = "loopscope.EventLoopLag";

  @Label("Loop")
  int loop;

  @Label("p50")
  @Timespan(Timespan.MICROSECONDS)
  long p50;

  @Label("p99")
  @Timespan(Timespan.MICROSECONDS)
  long p99;

  @Label("Max")
  @Timespan(Timespan.MICROSECONDS)
  long max;

  @Label("Samples")
  long samples;
}
