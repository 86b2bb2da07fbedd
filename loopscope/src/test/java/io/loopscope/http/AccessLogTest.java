package io.loopscope.http;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.event.KeyValuePair;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The access log as the shipped configuration writes it: each loop's lines buffered and handed over in batches,
 * written by one thread; the same lines Logback's own encoders would write; a stdout that does not keep up costs
 * lines (counted), never a blocked loop.
 */
@ExtendWith(VertxExtension.class)
class AccessLogTest {

  private AccessLog accessLog;
  private final CountingStream out = new CountingStream();

  @AfterEach
  void close() {
    if (accessLog != null) {
      out.unblock();
      accessLog.close();
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"text", "json"})
  void a_line_is_the_one_the_shipped_logback_configuration_writes(String format) throws Exception {
    long now = 1_795_476_954_315L;
    String thread = "vert.x-eventloop-thread-3";
    String message = "GET /test/async?x=\"1\" 200 7 ms";
    StringBuilder ours = new StringBuilder();
    if (format.equals("json")) {
      AccessLog.LoopLines.appendJson(ours, now, thread, message, "demo-42");
    } else {
      // the text form caches its second: through a loop's buffer, as served
      ours.append(textLine(now, thread, message, "demo-42"));
    }

    LoggingEvent event = new LoggingEvent();
    event.setLoggerName(AccessLog.LOGGER);
    event.setLevel(Level.INFO);
    event.setThreadName(thread);
    event.setMessage(message);
    event.setTimeStamp(now);
    event.setKeyValuePairs(List.of(new KeyValuePair(RequestIdHandler.LOG_KEY, "demo-42")));
    event.setMDCPropertyMap(java.util.Map.of()); // an event loop's: nothing in the MDC
    String logback = new String(shippedEncoder(format, event), StandardCharsets.UTF_8);

    assertThat(ours.toString()).isEqualTo(logback);
  }

  @Test
  void a_loop_s_lines_reach_stdout_whole_and_in_batches(Vertx vertx) throws Exception {
    accessLog = AccessLog.start("json", out, null);
    WebClient client = clientOf(vertx, serve(vertx));
    int requests = 300;
    sendAll(requests, i -> client.get("/hello/" + i).putHeader(RequestIdHandler.HEADER, "batch-" + i));

    await().atMost(Duration.ofSeconds(5)).until(() -> out.lines().size() == requests);
    assertThat(out.lines()).allSatisfy(line -> {
      JsonObject parsed = new JsonObject(line);
      assertThat(parsed.getString("loggerName")).isEqualTo(AccessLog.LOGGER);
      assertThat(parsed.getString("formattedMessage")).matches("GET /hello/\\d+ 200 \\d+ ms");
    });
    assertThat(out.lines()).extracting(line -> new JsonObject(line).getJsonArray("kvpList").getJsonObject(0)
      .getString(RequestIdHandler.LOG_KEY)).containsExactlyInAnyOrderElementsOf(
        java.util.stream.IntStream.range(0, requests).mapToObj(i -> "batch-" + i).toList());
    // a write per batch, not per line
    assertThat(out.writes.get()).isLessThan(requests / 10);
  }

  @Test
  void a_response_ended_off_the_loop_still_gets_its_whole_line(Vertx vertx) throws Exception {
    accessLog = AccessLog.start("text", out, null);
    WebClient client = clientOf(vertx, serve(vertx));
    int requests = 200;
    // /elsewhere/ answers from a thread of its own, /hello/ from the loop: both at once
    assertThat(sendAll(requests, i -> client.get((i % 2 == 0 ? "/elsewhere/" : "/hello/") + i)
      .putHeader(RequestIdHandler.HEADER, "off-" + i)))
      .allSatisfy(response -> assertThat(response.statusCode()).isEqualTo(200));

    await().atMost(Duration.ofSeconds(5)).until(() -> out.lines().size() == requests);
    assertThat(out.lines()).allSatisfy(line ->
      assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d{3} INFO  \\[vert\\.x-eventloop-thread-\\d+] loopscope\\.access - "
        + "GET /(elsewhere|hello)/\\d+ 200 \\d+ ms requestId=\"off-\\d+\""));
  }

  @Test
  void a_path_s_control_characters_do_not_reach_the_log(Vertx vertx) throws Exception {
    accessLog = AccessLog.start("text", out, null);
    WebClient client = clientOf(vertx, serve(vertx));
    client.get("/hello/%1b%5b31mred").putHeader(RequestIdHandler.HEADER, "ctl-1").send().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> out.lines().size() == 1);
    assertThat(out.lines().get(0)).contains(" - GET /hello/%1b%5b31mred 200 ").endsWith(" requestId=\"ctl-1\"");
    StringBuilder line = new StringBuilder();
    AccessLog.LoopLines.appendJson(line, 0, "t", "GET /a\u001b[31m 200 1 ms", "x");
    assertThat(line.toString()).doesNotContain("\u001b");
  }

  @Test
  void when_stdout_does_not_keep_up_batches_are_dropped_and_counted_never_waited_for(Vertx vertx) throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    out.block();
    accessLog = AccessLog.start("text", out, registry, 2);
    int port = serve(vertx);
    WebClient client = clientOf(vertx, port);

    // every request is answered while the writer is stuck in its first write, for longer than the queue's batches take
    long start = System.nanoTime();
    int rounds = 0;
    while (accessLog.dropped() == 0 && rounds < 400) {
      assertThat(sendAll(50, i -> client.get("/hello/" + i))).hasSize(50);
      rounds++;
    }
    assertThat(accessLog.dropped()).isPositive();
    assertThat(registry.get("loopscope.access.dropped").functionCounter().count()).isEqualTo(accessLog.dropped());
    assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(60);

    out.unblock();
    await().atMost(Duration.ofSeconds(10)).until(() -> out.lines().size() > 0);
    assertThat(out.lines()).allSatisfy(line -> assertThat(line).matches(".* loopscope.access - GET /hello/\\d+ 200 \\d+ ms requestId=\"\\w+\""));
  }

  @Test
  void closing_writes_what_the_loops_handed_over(Vertx vertx) throws Exception {
    accessLog = AccessLog.start("text", out, null);
    AccessLog.Lines[] lines = new AccessLog.Lines[1];
    int port = serve(vertx, lines);
    clientOf(vertx, port).get("/hello/last").putHeader(RequestIdHandler.HEADER, "last-1").send().await(10, TimeUnit.SECONDS);
    // stopped before its periodic flush: the stop hands the line over, the close writes it
    vertx.runOnContext(v -> lines[0].close());
    await().atMost(Duration.ofSeconds(5)).until(() -> out.writes.get() > 0 || accessLog.dropped() > 0);
    accessLog.close();
    assertThat(out.lines()).singleElement().asString().endsWith("requestId=\"last-1\"");
  }

  /** {@code requests} requests at once, the i-th made by {@code request}; their responses, once all have come. */
  private static List<HttpResponse<Buffer>> sendAll(int requests, IntFunction<HttpRequest<Buffer>> request) throws Exception {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      sent.add(request.apply(i).send());
    }
    return Future.all(sent).await(20, TimeUnit.SECONDS).list();
  }

  /** A server on 127.0.0.1 whose routes answer after RequestIdHandler with this test's access log. */
  private int serve(Vertx vertx) throws Exception {
    return serve(vertx, new AccessLog.Lines[1]);
  }

  private int serve(Vertx vertx, AccessLog.Lines[] lines) throws Exception {
    Router router = Router.router(vertx);
    CountDownLatch made = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      lines[0] = accessLog.lines(vertx);
      made.countDown();
    });
    assertThat(made.await(5, TimeUnit.SECONDS)).isTrue();
    router.route().handler(ctx -> new RequestIdHandler(lines[0]).handle(ctx));
    router.get("/hello/*").handler(ctx -> ctx.response().end("hi"));
    router.get("/elsewhere/*").handler(ctx -> new Thread(() -> ctx.response().end("hi")).start());
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    return server.actualPort();
  }

  private static WebClient clientOf(Vertx vertx, int port) {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
      new PoolOptions().setHttp1MaxSize(50));
  }

  /** The line a loop's buffer writes for one request, by way of the same appending the loop does. */
  private static String textLine(long now, String thread, String message, String requestId) throws Exception {
    AccessLog.LoopLines.Text text = new AccessLog.LoopLines.Text();
    StringBuilder line = new StringBuilder();
    text.append(line, now, thread, message, requestId);
    return line.toString();
  }

  /** The shipped logging/FORMAT.xml, loaded by Joran into a context of its own: its console encoder's bytes for {@code event}. */
  private static byte[] shippedEncoder(String format, ILoggingEvent event) throws Exception {
    LoggerContext context = new LoggerContext();
    try {
      JoranConfigurator configurator = new JoranConfigurator();
      configurator.setContext(context);
      String config = "<configuration><include resource=\"io/loopscope/logging/" + format + ".xml\"/>"
        + "<root level=\"INFO\"><appender-ref ref=\"console\"/></root></configuration>";
      configurator.doConfigure(new ByteArrayInputStream(config.getBytes(StandardCharsets.UTF_8)));
      AsyncAppender async = (AsyncAppender) context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender("console");
      OutputStreamAppender<ILoggingEvent> console = (OutputStreamAppender<ILoggingEvent>) async.getAppender("console-out");
      ((LoggingEvent) event).setLoggerContext(context);
      return console.getEncoder().encode(event);
    } finally {
      context.stop();
    }
  }

  /** Stdout as the writer sees it: counts writes, keeps the lines, and can be made to hang. */
  private static final class CountingStream extends OutputStream {
    final AtomicInteger writes = new AtomicInteger();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private volatile CountDownLatch gate = new CountDownLatch(0);

    void block() {
      gate = new CountDownLatch(1);
    }

    void unblock() {
      gate.countDown();
    }

    @Override
    public void write(int b) {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      writes.incrementAndGet();
      synchronized (bytes) {
        bytes.write(b, off, len);
      }
    }

    List<String> lines() {
      synchronized (bytes) {
        String all = bytes.toString(StandardCharsets.UTF_8);
        return all.isEmpty() ? List.of() : Arrays.asList(all.split("\n"));
      }
    }
  }
}
