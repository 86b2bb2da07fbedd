package io.loopscope.config;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.spi.ILoggingEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.concurrent.atomic.LongAdder;

/**
 * Logback's {@code AsyncAppender} as the shipped configuration runs it ({@code neverBlock}: an event loop never
 * waits for stdout), plus what it lacks: a line dropped because the queue is full is counted, in
 * {@code loopscope_log_dropped_total}, instead of vanishing without a trace. Logback's own drop (a failed
 * {@code offer}) reports nothing, so the full queue is seen here first; two lines racing for its last slot can
 * still lose one uncounted.
 */
public final class CountedAsyncAppender extends AsyncAppender {

  /** One count for the process: the shipped configuration has one console appender, reloaded with log.format. */
  private static final LongAdder DROPPED = new LongAdder();

  @Override
  protected void append(ILoggingEvent event) {
    if (getRemainingCapacity() == 0) {
      DROPPED.increment();
      return;
    }
    super.append(event);
  }

  /** Lines dropped so far by every such appender of this process. */
  public static long dropped() {
    return DROPPED.sum();
  }

  /** @param registry null when metrics are off */
  public static void register(MeterRegistry registry) {
    if (registry != null) {
      FunctionCounter.builder("loopscope.log.dropped", DROPPED, LongAdder::doubleValue)
        .description("Log lines (other than access lines) dropped because stdout did not keep up").register(registry);
    }
  }
}
