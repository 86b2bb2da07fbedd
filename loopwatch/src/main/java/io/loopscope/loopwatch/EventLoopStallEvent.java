package io.loopscope.loopwatch;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;
import jdk.jfr.Timestamp;

/**
 * One finished stall, as a JFR event: what {@code /diagnostics/blocked} reports, in JDK Mission Control beside
 * the GC, safepoint and CPU events of the same moment. Committed by LoopWatch's watchdog once the stall is
 * over, so its own start and end are the commit's; the stall's are {@link #stallStart} and
 * {@link #stallDuration}. The watchdog's stack would say nothing: the blocked thread's, as LoopWatch took
 * it, is the {@link #stack} field.
 */
@Name(EventLoopStallEvent.NAME)
@Label("Event-Loop Stall")
@Category({"loopscope", "LoopWatch"})
@Description("An event loop (or a worker or virtual thread) busy past LoopWatch's threshold")
@StackTrace(false)
public final class EventLoopStallEvent extends Event {

  public static final String NAME = "loopscope.EventLoopStall";

  @Label("Report Id")
  long reportId;

  @Label("Thread")
  @Description("The blocked thread, e.g. vert.x-eventloop-thread-1")
  String eventLoop;

  @Label("Loop")
  @Description("Its event-loop number; -1 for a worker or a virtual thread")
  int loop;

  @Label("Pool")
  String pool;

  @Label("Route")
  @Description("What it was running: GET /bad-example, timer ..., event-bus ...")
  String route;

  @Label("Culprit")
  @Description("The innermost application frame on its stack, and the call it made")
  String culprit;

  @Label("Stall Start")
  @Timestamp(Timestamp.MILLISECONDS_SINCE_EPOCH)
  long stallStart;

  @Label("Stall Duration")
  @Timespan(Timespan.NANOSECONDS)
  long stallDuration;

  @Label("Trace Id")
  @Description("The culprit request's W3C trace id; empty while tracing is off")
  String traceId;

  @Label("Span Id")
  @Description("The culprit request's server span id; empty while tracing is off")
  String spanId;

  @Label("Stack")
  @Description("The blocked thread's top frames when LoopWatch caught it, one per line")
  String stack;
}
