package io.loopscope.loopwatch;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;

import java.time.Instant;

/**
 * A stall on its culprit request's trace: the ids a report names, and an {@code eventloop.stall} event on the
 * server span. Events are added by LoopWatch's threads only (Vert.x's checker, the watchdog), never a loop; the
 * SDK's {@code addEvent} only appends under the span's own lock, and drops the event once the span has ended.
 *
 * <p>A loop usually ends the span of a request it stalled in inside that same dispatch (the handler blocks,
 * then answers), so before the stall is over. The event is therefore added as the stall is caught, while the
 * loop is still stuck in the request and its span open: at the stall's start, with the duration so far and
 * {@code loopscope.stall.ongoing=true}. When the stall is over and the span still records (the request goes
 * on after it), {@code eventloop.stall.end} adds the final duration. The report's id links to the rest.
 */
final class StallSpans {

  static final String STALL_EVENT = "eventloop.stall";
  static final String STALL_END_EVENT = "eventloop.stall.end";
  static final AttributeKey<Double> DURATION_MS = AttributeKey.doubleKey("loopscope.stall.duration_ms");
  static final AttributeKey<Boolean> ONGOING = AttributeKey.booleanKey("loopscope.stall.ongoing");
  static final AttributeKey<Long> REPORT_ID = AttributeKey.longKey("loopscope.stall.report_id");
  static final AttributeKey<String> THREAD = AttributeKey.stringKey("thread.name");

  private StallSpans() {
  }

  /** The W3C trace id (32 hex digits) of a {@link Span} or {@link SpanContext}; null for null or an invalid one. */
  static String traceId(Object trace) {
    SpanContext context = context(trace);
    return context == null ? null : context.getTraceId();
  }

  /** The span id (16 hex digits) of a {@link Span} or {@link SpanContext}; null for null or an invalid one. */
  static String spanId(Object trace) {
    SpanContext context = context(trace);
    return context == null ? null : context.getSpanId();
  }

  private static SpanContext context(Object trace) {
    SpanContext context = trace instanceof Span span ? span.getSpanContext() : trace instanceof SpanContext ids ? ids : null;
    return context != null && context.isValid() ? context : null;
  }

  /** As {@code report}'s stall is caught (the loop is still in it): the event at its start, with its duration so far. */
  static void detected(BlockedReport report) {
    add(report, STALL_EVENT, report.startedAt(), true);
  }

  /** As it is over: its final duration, when the culprit's span still records. */
  static void over(BlockedReport report) {
    add(report, STALL_END_EVENT, report.startedAt().plusNanos(report.durationNanos()), false);
  }

  private static void add(BlockedReport report, String name, Instant at, boolean ongoing) {
    Span span = report.culpritSpan();
    if (span == null || !span.isRecording()) {
      return; // tracing off, sampled out, or already ended
    }
    span.addEvent(name, Attributes.of(DURATION_MS, report.durationNanos() / 1_000_000.0, ONGOING, ongoing,
      REPORT_ID, report.id(), THREAD, report.threadName()), at);
  }
}
