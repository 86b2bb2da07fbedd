package io.loopscope.diagnostics;

import io.loopscope.testing.RawHttp;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A process that stands still (a GC, a safepoint, the host throttling its CPU: here a SIGSTOP, which stops
 * every thread at once the same way) does not get whatever its loops were running blamed for a stall, against
 * the packaged jar with its defaults; a dispatch that blocks by itself for longer than the limit still is one.
 * On a build without the pause clock, each 40-ms {@code /bad-example} caught by a 500-ms stop was a 500-ms report.
 * (A stop does not lengthen a wait on a timer: the upstream's delay elapses during the stop too.)
 */
class PausedProcessIT {

  private static final int STOPS = 3;
  private static final Duration STOPPED = Duration.ofMillis(500);

  private static ServiceProcess service;
  private static Vertx vertx;
  private static WebClient admin;

  @BeforeAll
  static void start() {
    service = ServiceProcess.start("paused-process", Map.of());
    vertx = Vertx.vertx();
    admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.adminPort()));
    for (int i = 0; i < 20; i++) { // a warm JIT: a cold first call loads classes on the loop for 100 ms by itself
      assertThat(badExample(10).await()).startsWith("HTTP/1.1 200 ");
    }
  }

  @AfterAll
  static void stop() throws IOException {
    admin.close();
    vertx.close().await();
    service.close();
  }

  @Test
  void a_short_dispatch_caught_by_a_stop_of_the_whole_process_is_no_stall() throws InterruptedException {
    long before = latestReportId();
    for (int i = 0; i < STOPS; i++) {
      Future<String> shortCall = badExample(40); // blocks its loop 40 ms: under the 100-ms limit
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> loopRunning("GET /bad-example"));
      standStill();
      assertThat(shortCall.await()).startsWith("HTTP/1.1 200 ");
    }

    assertThat(reportsSince(before)).as("reports after %s stops of the process", STOPS).isEmpty();
    // the pause clock saw each stop; the checker, which saw a dispatch at 500 ms and more, excused it
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(service.lines()).filteredOn(line -> line.contains("The whole process stood still for")).hasSizeGreaterThanOrEqualTo(STOPS);
      assertThat(service.lines()).filteredOn(line -> line.contains("but only") && line.contains("by its own doing")).isNotEmpty();
    });
    assertThat(admin.get("/health/ready").send().await().statusCode()).isEqualTo(200);
  }

  @Test
  void a_dispatch_that_blocks_past_the_limit_by_itself_is_a_stall_stop_or_no_stop() throws InterruptedException {
    long before = latestReportId();
    Future<String> longCall = badExample(1_000); // its upstream's clock runs on during the stop: 500 ms blocked after it
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> loopRunning("GET /bad-example"));
    standStill();
    assertThat(longCall.await()).startsWith("HTTP/1.1 200 ");

    JsonArray reports = await().atMost(Duration.ofSeconds(5)).until(() -> reportsSince(before), found -> !found.isEmpty());
    assertThat(reports).singleElement().satisfies(report -> {
      JsonObject stall = (JsonObject) report;
      assertThat(stall.getString("route")).isEqualTo("GET /bad-example");
      assertThat(stall.getJsonObject("culprit").getString("method")).isEqualTo("BlockingUpstreamClient.fetchPostBlocking");
      assertThat(stall.getDouble("detectedAfterMs")).as("detected once its own time passed the limit, after the stop")
        .isGreaterThan((double) STOPPED.toMillis());
    });
  }

  /** SIGSTOP for half a second, then SIGCONT: the stop is the stimulus here, as a GC pause would be. */
  private static void standStill() throws InterruptedException {
    service.pause();
    try {
      Thread.sleep(STOPPED.toMillis());
    } finally {
      service.resume();
    }
  }

  private static Future<String> badExample(int ms) {
    return RawHttp.exchange(vertx, service.apiPort(),
      "GET /bad-example?ms=" + ms + " HTTP/1.1\r\nHost: loopscope\r\nConnection: close\r\n\r\n");
  }

  private static boolean loopRunning(String route) {
    return admin.get("/diagnostics/event-loops").send().await().bodyAsJsonObject().getJsonArray("loops").stream()
      .map(JsonObject.class::cast).anyMatch(loop -> route.equals(loop.getString("running")));
  }

  private static JsonArray reportsSince(long id) {
    JsonArray reports = admin.get("/diagnostics/blocked?limit=50").send().await().bodyAsJsonObject().getJsonArray("reports");
    return new JsonArray(reports.stream().map(JsonObject.class::cast).filter(report -> report.getLong("id") > id).toList());
  }

  private static long latestReportId() {
    JsonArray reports = admin.get("/diagnostics/blocked?limit=1").send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.isEmpty() ? 0 : reports.getJsonObject(0).getLong("id");
  }
}
