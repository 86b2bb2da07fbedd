package io.loopscope.loopwatch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import jdk.jfr.consumer.RecordingStream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LoopWatch on a Vert.x instance of its own: stalls in timers, event-bus consumers and workers are
 * caught once each, named, and seen by the lag probe and the health checks.
 */
class LoopWatchTest {

  private static final int WORKER_THRESHOLD_MS = 250;

  private Vertx vertx;
  private LoopWatch watch;
  private PrometheusMeterRegistry registry;
  private ListAppender<ILoggingEvent> logs;

  @BeforeEach
  void start() {
    // this test's own frames are the application's, as in any application that names its packages
    LoopWatchOptions options = new LoopWatchOptions().setWorkerBlockThresholdMs(WORKER_THRESHOLD_MS)
      .addApplicationPackage("io.loopscope.");
    vertx = Vertx.builder()
      .with(LoopWatch.configure(new VertxOptions().setEventLoopPoolSize(2), options))
      .build();
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    watch = new LoopWatch(registry, options);
    vertx.deployVerticle(watch).await();
    logs = new ListAppender<>();
    logs.start();
    ((Logger) LoggerFactory.getLogger(LoopWatch.class)).addAppender(logs);
  }

  @AfterEach
  void stop() {
    ((Logger) LoggerFactory.getLogger(LoopWatch.class)).detachAppender(logs);
    vertx.close().await();
  }

  @Test
  void a_stall_inside_a_timer_is_one_report_named_after_the_timer_not_a_route() {
    vertx.setTimer(1, id -> sleep(300));

    BlockedReport report = awaitFinishedReport();
    assertThat(report.work().kind()).isEqualTo(RunningWork.Kind.TIMER);
    assertThat(report.work().name()).startsWith("timer LoopWatchTest.").doesNotContain("GET");
    assertThat(report.pool()).isEqualTo(LoopWatch.EVENT_LOOP_POOL);
    assertThat(TimeUnit.NANOSECONDS.toMillis(report.durationNanos())).isGreaterThanOrEqualTo(300);
    assertThat(report.toJson().getJsonArray("stack").encode()).contains("Thread.sleep", "LoopWatchTest");
  }

  @Test
  void a_stall_inside_an_event_bus_consumer_is_named_after_its_address() {
    vertx.eventBus().<String>consumer("test.stall", message -> {
      sleep(300);
      message.reply("done");
    }).completion().await();
    vertx.eventBus().request("test.stall", "go");

    BlockedReport report = awaitFinishedReport();
    assertThat(report.work().kind()).isEqualTo(RunningWork.Kind.EVENT_BUS);
    assertThat(report.work().name()).isEqualTo("event-bus test.stall");
  }

  @Test
  void a_long_stall_gives_one_report_and_two_warnings_however_many_checks_it_spans() {
    vertx.setTimer(1, id -> sleep(600)); // 30 checks of 20 ms

    BlockedReport report = awaitFinishedReport();
    assertThat(watch.reports(100, null)).hasSize(1);
    // one as it is caught, one once it is over and its victims are counted
    await().atMost(Duration.ofSeconds(5)).until(report::victimsCounted);
    assertThat(logs.list.stream().filter(event -> event.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
      .toList()).satisfiesExactly(
        caught -> assertThat(caught).contains(report.thread().getName(), report.work().name(),
          "report " + report.id() + " at /loopwatch/blocked", "LoopWatchTest.sleep"),
        over -> assertThat(over).contains(report.work().name() + " blocked loop " + report.toJson().getInteger("loop")
          + " for ", "0 requests waited, up to 0 ms", "culprit LoopWatchTest.sleep -> Thread.sleep"));
    JsonObject json = report.toJson();
    assertThat(json.getDouble("durationMs")).isGreaterThanOrEqualTo(600);
    // caught within threshold + 2 checks (140 ms) when the machine is quiet; a generous bound here
    assertThat(json.getDouble("detectedAfterMs")).isBetween(100.0, 600.0);
  }

  @Test
  void a_worker_past_its_own_threshold_is_reported_with_its_pool() {
    vertx.executeBlocking(() -> {
      sleep(WORKER_THRESHOLD_MS + 250);
      return null;
    });

    BlockedReport report = awaitFinishedReport();
    assertThat(report.pool()).isEqualTo("vert.x-worker-thread");
    assertThat(report.toJson().getValue("loop")).isNull();
    assertThat(report.toJson().getDouble("thresholdMs")).isEqualTo(WORKER_THRESHOLD_MS);
  }

  @Test
  void short_dispatches_are_not_reported() {
    for (int i = 0; i < 20; i++) {
      vertx.setTimer(1, id -> sleep(20));
    }
    vertx.setTimer(50, id -> sleep(300)); // the marker: reported after all the short ones have run

    awaitFinishedReport();
    assertThat(watch.reports(100, null)).hasSize(1);
  }

  @Test
  void the_blocked_loop_shows_the_stall_as_lag() {
    vertx.setTimer(1, id -> sleep(300));
    BlockedReport report = awaitFinishedReport();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonObject loop = loopOf(report.thread().getName());
      assertThat(loop.getJsonObject("lag").getJsonObject("sinceStart").getDouble("maxMs")).isGreaterThanOrEqualTo(250);
      assertThat(loop.getJsonObject("lag").getJsonObject("last10s").getDouble("maxMs")).isGreaterThanOrEqualTo(250);
    });
    assertThat(registry.scrape())
      .contains("loopwatch_eventloop_lag_seconds_bucket{loop=\"" + report.toJson().getInteger("loop") + "\"")
      .contains("loopwatch_blocked_total{pool=\"event-loop\",route=\"" + report.work().name() + "\"} 1.0")
      .contains("loopwatch_blocked_seconds_count 1");
  }

  @Test
  void readiness_is_down_while_a_loop_is_stalled_past_its_limit_and_up_again_after() {
    assertThat(watch.readiness().isOk()).isTrue();
    vertx.setTimer(1, id -> sleep(1_500));

    await().atMost(Duration.ofSeconds(3)).until(() -> !watch.readiness().isOk());
    Status down = watch.readiness();
    assertThat(down.getData().getJsonArray("stalled").getJsonObject(0).getLong("stalledMs")).isGreaterThan(1_000);
    assertThat(watch.liveness().isOk()).as("liveness waits for liveMaxStallMs").isTrue();
    // UP once the stall is over, unless the loop's 10-s lag p99 says it is still slow: within the window at most
    await().atMost(Duration.ofSeconds(12)).until(() -> watch.readiness().isOk());
  }

  @Test
  void reset_forgets_reports() {
    vertx.setTimer(1, id -> sleep(200));
    awaitFinishedReport();

    watch.reset();
    assertThat(watch.reports(100, null)).isEmpty();
  }

  @Test
  void the_kept_stack_ends_just_past_our_innermost_frames() {
    StackTraceElement[] stack = {
      frame("java.lang.Thread", "sleep"),
      frame("io.loopscope.upstream.Client", "fetch"),
      frame("io.loopscope.http.Routes", "handle"),
      frame("io.vertx.ext.web.impl.RouteState", "handleContext"),
      frame("io.vertx.ext.web.impl.RoutingContextImpl", "next"),
      frame("io.loopscope.diagnostics.RunningWork", "track"),
      frame("io.netty.channel.nio.NioEventLoop", "run"),
    };
    assertThat(BlockedReport.kept(stack)).extracting(StackTraceElement::getMethodName)
      .containsExactly("sleep", "fetch", "handle", "handleContext");
  }

  @Test
  void the_culprit_is_the_innermost_application_frame_with_the_call_it_made() {
    StackTraceElement[] stack = {
      frame("jdk.internal.misc.Unsafe", "park"),
      frame("java.util.concurrent.CompletableFuture", "get"),
      frame("jdk.internal.net.http.HttpClientImpl", "send"),
      frame("jdk.internal.net.http.HttpClientFacade", "send"),
      frame("io.loopscope.upstream.BlockingUpstreamClient", "fetchPostBlocking"),
      frame("io.loopscope.http.ArticleRoutes", "badExample"),
      frame("io.vertx.ext.web.impl.RouteState", "handleContext"),
    };
    Culprit culprit = Culprit.of(stack);
    assertThat(culprit.method()).isEqualTo("BlockingUpstreamClient.fetchPostBlocking");
    assertThat(culprit.call()).isEqualTo("HttpClient.send");
    assertThat(culprit.summary()).isEqualTo("BlockingUpstreamClient.fetchPostBlocking -> HttpClient.send");
    assertThat(Culprit.of(new StackTraceElement[] {frame("io.netty.channel.nio.NioEventLoop", "run")})).isNull();
  }

  @Test
  void a_stall_in_a_timer_enters_the_route_profile_as_that_timer() {
    vertx.setTimer(1, id -> sleep(300));
    BlockedReport report = awaitFinishedReport();
    // the watchdog finishes the report, then enters the timer in the profile: this thread can see the two apart
    JsonArray routes = await().atMost(Duration.ofSeconds(5))
      .until(() -> watch.routes("all").getJsonArray("routes"), profiled -> !profiled.isEmpty());

    JsonObject timer = routes.getJsonObject(0);
    assertThat(timer.getString("route")).isEqualTo(report.work().name());
    assertThat(timer.getString("kind")).isEqualTo("timer");
    assertThat(timer.getJsonObject("loopBusyMs").getDouble("max")).isGreaterThanOrEqualTo(250.0);
  }

  @Test
  void pools_are_named_after_their_threads() {
    assertThat(LoopWatch.poolOf("vert.x-worker-thread-12")).isEqualTo("vert.x-worker-thread");
    assertThat(LoopWatch.poolOf("cpu-3")).isEqualTo("cpu");
    assertThat(LoopWatch.poolOf("legacy-0")).isEqualTo("legacy");
    assertThat(LoopWatch.poolOf("main")).isEqualTo("main");
  }

  @Test
  void a_flight_recording_with_the_default_settings_holds_each_stall_with_its_route_duration_and_stack() throws Exception {
    // what jcmd PID JFR.start and -XX:StartFlightRecording record: LoopWatch's events need no settings of their own
    Path file = Files.createTempFile("loopwatch", ".jfr");
    try (Recording recording = new Recording(Configuration.getConfiguration("default"))) {
      recording.start();
      vertx.setTimer(1, id -> sleep(300));
      BlockedReport report = awaitFinishedReport();
      recording.stop();
      recording.dump(file);

      List<RecordedEvent> stalls = RecordingFile.readAllEvents(file).stream()
        .filter(event -> event.getEventType().getName().equals(EventLoopStallEvent.NAME)).toList();
      assertThat(stalls).hasSize(1);
      RecordedEvent stall = stalls.get(0);
      assertThat(stall.getLong("reportId")).isEqualTo(report.id());
      assertThat(stall.getString("route")).isEqualTo(report.work().name());
      if (Runtime.version().feature() >= 21) {
        // Java 17's JFR loses pooled strings (16 to 128 chars) after an earlier recording in the same JVM: N/A
        assertThat(stall.getString("eventLoop")).isEqualTo(report.threadName());
        assertThat(stall.getString("culprit")).isEqualTo("LoopWatchTest.sleep -> Thread.sleep");
      }
      assertThat(stall.getInt("loop")).isEqualTo(report.loop());
      assertThat(stall.getDuration("stallDuration")).isGreaterThanOrEqualTo(Duration.ofMillis(300));
      assertThat(stall.getInstant("stallStart")).isEqualTo(report.startedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
      assertThat(stall.getString("stack")).contains("Thread.sleep", "LoopWatchTest");
      assertThat(stall.getStackTrace()).as("the watchdog's own stack is not recorded").isNull();
    } finally {
      Files.deleteIfExists(file);
    }
  }

  @Test
  void a_recording_gets_each_loops_lag_once_a_second() {
    List<RecordedEvent> lags = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (RecordingStream stream = new RecordingStream()) {
      stream.enable(EventLoopLagEvent.NAME);
      stream.onEvent(EventLoopLagEvent.NAME, lags::add);
      stream.startAsync();
      // recording: each loop's second, then a 200-ms stall shows in the second after it
      await().atMost(Duration.ofSeconds(10)).until(() -> lags.stream().map(lag -> lag.getInt("loop")).toList().containsAll(List.of(0, 1)));
      vertx.setTimer(1, id -> sleep(200));
      await().atMost(Duration.ofSeconds(10)).until(() -> lags.stream().anyMatch(lag -> lag.getDuration("max").toMillis() >= 150));
    }
    // other Vert.x instances of this JVM (earlier tests' services) send theirs too
    assertThat(lags).extracting(lag -> lag.getInt("loop")).contains(0, 1);
    assertThat(lags).allSatisfy(lag -> assertThat(lag.getLong("samples")).isPositive());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sleepingStall", "spinningStall", "readingStall"})
  void a_stall_s_sampled_profile_puts_its_culprit_on_top_whether_it_sleeps_spins_or_waits_on_a_socket(String culprit)
      throws IOException {
    try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) { // accepts, never answers
      Runnable stall = switch (culprit) {
        case "sleepingStall" -> LoopWatchTest::sleepingStall;
        case "spinningStall" -> LoopWatchTest::spinningStall;
        default -> () -> readingStall(silent.getLocalPort());
      };
      vertx.setTimer(1, id -> stall.run());

      BlockedReport report = awaitFinishedReport();
      JsonObject json = report.toJson();
      assertThat(json.getInteger("samples")).as("one at detection, one per 20-ms tick of a 500-ms stall").isGreaterThanOrEqualTo(5);
      assertThat(json.getJsonObject("culprit").getString("method")).isEqualTo("LoopWatchTest." + culprit);
      JsonObject top = json.getJsonArray("profile").stream().map(JsonObject.class::cast)
        .filter(frame -> frame.getString("frame").contains("LoopWatchTest.")).findFirst().orElseThrow();
      assertThat(top.getString("frame")).as("the top application frame").endsWith("LoopWatchTest." + culprit);
      assertThat(top.getBoolean("culprit")).isTrue();
      assertThat(top.getDouble("share")).isGreaterThanOrEqualTo(0.8);
      assertThat(top.getInteger("samples")).isLessThanOrEqualTo(json.getInteger("samples"));
    }
  }

  private static void sleepingStall() {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void spinningStall() {
    long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    long spins = 0;
    while (System.nanoTime() < end) {
      spins++;
    }
    assertThat(spins).isPositive();
  }

  /** A JDBC driver's blocking read, as a plain socket: the server never answers, the read times out after 500 ms. */
  private static void readingStall(int port) {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(500);
      assertThat(socket.getInputStream().read()).isEqualTo(-1);
    } catch (SocketTimeoutException expected) {
      // the wait was the point
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private BlockedReport awaitFinishedReport() {
    await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<BlockedReport> reports = watch.reports(1, null);
      return !reports.isEmpty() && !reports.get(0).ongoing();
    });
    return watch.reports(1, null).get(0);
  }

  private JsonObject loopOf(String threadName) {
    return watch.eventLoops().stream().map(JsonObject.class::cast)
      .filter(loop -> threadName.equals(loop.getString("thread"))).findFirst().orElseThrow();
  }

  private static StackTraceElement frame(String className, String method) {
    return new StackTraceElement(className, method, className + ".java", 1);
  }

  /** The point of these tests: block the thread we are on, as bad code would. */
  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
