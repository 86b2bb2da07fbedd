package io.loopscope.config;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.AppenderBase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The shipped configuration's console appender: it never makes a logger wait, and every line it drops is counted. */
class CountedAsyncAppenderTest {

  private static final int QUEUE = 4;

  private final LoggerContext context = new LoggerContext();
  private final StalledOutput output = new StalledOutput();
  private final CountedAsyncAppender appender = new CountedAsyncAppender();

  /** An output that takes its first line and then stands still, as a stdout nobody reads. */
  private static final class StalledOutput extends AppenderBase<ILoggingEvent> {
    final List<String> written = new CopyOnWriteArrayList<>();
    final CountDownLatch released = new CountDownLatch(1);

    @Override
    protected void append(ILoggingEvent event) {
      written.add(event.getFormattedMessage());
      try {
        released.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @AfterEach
  void stop() {
    output.released.countDown();
    appender.stop();
  }

  @Test
  void a_full_queue_drops_lines_without_waiting_and_counts_each_one() {
    context.setMDCAdapter(new LogbackMDCAdapter());
    output.setContext(context);
    output.start();
    appender.setContext(context);
    appender.setQueueSize(QUEUE);
    appender.setDiscardingThreshold(0);
    appender.setNeverBlock(true);
    appender.addAppender(output);
    appender.start();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    CountedAsyncAppender.register(registry);
    long droppedBefore = CountedAsyncAppender.dropped();

    log(0);
    await().atMost(Duration.ofSeconds(5)).until(() -> output.written.size() == 1); // the writer holds line 0
    long start = System.nanoTime();
    for (int line = 1; line <= QUEUE + 10; line++) {
      log(line);
    }
    long appendMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(CountedAsyncAppender.dropped() - droppedBefore).as("lines dropped").isEqualTo(10);
    assertThat(registry.get("loopscope.log.dropped").functionCounter().count()).isEqualTo(CountedAsyncAppender.dropped());
    assertThat(appendMs).as("the logger never waited for the stalled output (ms)").isLessThan(5_000);
    output.released.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> output.written.size() == 1 + QUEUE);
    assertThat(output.written).as("what was kept, in order: the rest was counted").containsExactly("line 0", "line 1", "line 2", "line 3", "line 4");
  }

  @Test
  void the_shipped_text_and_json_configurations_use_it() throws IOException {
    for (String format : List.of("text", "json")) {
      try (InputStream xml = getClass().getResourceAsStream("/io/loopscope/logging/" + format + ".xml")) {
        assertThat(new String(xml.readAllBytes(), StandardCharsets.UTF_8)).as(format)
          .contains("<appender name=\"console\" class=\"" + CountedAsyncAppender.class.getName() + "\">");
      }
    }
  }

  private void log(int line) {
    Logger logger = context.getLogger("test");
    appender.doAppend(new LoggingEvent(Logger.class.getName(), logger, Level.INFO, "line " + line, null, null));
  }
}
