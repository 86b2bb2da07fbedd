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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A stall's victims as an outside client sees them, against the packaged jar with its defaults: the requests
 * that waited for the blocked loop are exactly those its report counts, and the report carries its victims
 * from the moment the stall is over (so far, then final).
 */
class StallVictimsIT {

  private static final String SHORT = "GET /test/async?ms=0 HTTP/1.1\r\nHost: loopscope\r\nConnection: close\r\n\r\n";
  /** Far below the stall (500 ms, the short requests are sent 100 ms or more into it), far above a short answer. */
  private static final long HELD_UP_MS = 200;

  private static ServiceProcess service;
  private static Vertx vertx;
  private static WebClient admin;

  @BeforeAll
  static void start() {
    service = ServiceProcess.start("stall-victims", Map.of());
    vertx = Vertx.vertx();
    admin = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(service.adminPort()));
    for (int i = 0; i < 200; i++) { // a warm JIT: the short answers below take a millisecond, not a cold start's tens
      assertThat(RawHttp.exchange(vertx, service.apiPort(), SHORT).await()).startsWith("HTTP/1.1 200 ");
    }
  }

  @AfterAll
  static void stop() throws IOException {
    admin.close();
    vertx.close().await();
    service.close();
  }

  @Test
  void the_requests_that_waited_for_the_blocked_loop_are_its_victims_counted_from_the_moment_it_is_over() {
    long before = latestReportId();
    Future<String> stall = RawHttp.exchange(vertx, service.apiPort(),
      "GET /bad-example?ms=500 HTTP/1.1\r\nHost: loopscope\r\nConnection: close\r\n\r\n");
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> loopRunning("GET /bad-example"));

    // sixty fresh connections, spread over the loops by Vert.x: those on the blocked one wait for it
    List<Future<Long>> answeredAfterMs = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      long sent = System.nanoTime();
      answeredAfterMs.add(RawHttp.exchange(vertx, service.apiPort(), SHORT).map(answer -> {
        assertThat(answer).startsWith("HTTP/1.1 200 ");
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sent);
      }));
    }
    Future.all(answeredAfterMs).await();
    assertThat(stall.await()).startsWith("HTTP/1.1 200 ");
    List<Long> heldUp = answeredAfterMs.stream().map(Future::result).filter(ms -> ms >= HELD_UP_MS).toList();
    assertThat(heldUp).as("answers that waited for the blocked loop, of %s", answeredAfterMs.stream().map(Future::result).toList())
      .isNotEmpty().hasSizeLessThan(60);

    // as soon as it is over: the victims seen so far
    JsonObject over = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
      .until(StallVictimsIT::latestReport, report -> report.getLong("id", 0L) > before && !report.getBoolean("ongoing"));
    assertThat(over.getString("route")).isEqualTo("GET /bad-example");
    assertThat(over.getJsonObject("victims")).as("victims of %s", over.encode()).isNotNull();
    assertThat(over.getJsonObject("victims").fieldNames()).contains("requests", "maxWaitMs", "routes", "counted");

    // a second later, final: each answer that waited is one victim, and none that did not wait is
    JsonObject victims = await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
      .until(() -> latestReport().getJsonObject("victims"), counted -> counted.getBoolean("counted"));
    assertThat(victims.getInteger("requests")).as("victims %s, held-up answers %s", victims.encode(), heldUp)
      .isEqualTo(heldUp.size());
    assertThat(victims.getJsonObject("routes").getInteger("GET /test/async")).isEqualTo(heldUp.size());
    double stallMs = latestReport().getDouble("durationMs");
    assertThat(victims.getDouble("maxWaitMs")).isGreaterThan((double) HELD_UP_MS).isLessThanOrEqualTo(stallMs + 100);
    assertThat(admin.get("/health/ready").send().await().statusCode()).isEqualTo(200);
  }

  private static boolean loopRunning(String route) {
    return admin.get("/diagnostics/event-loops").send().await().bodyAsJsonObject().getJsonArray("loops").stream()
      .map(JsonObject.class::cast).anyMatch(loop -> route.equals(loop.getString("running")));
  }

  private static JsonObject latestReport() {
    JsonArray reports = admin.get("/diagnostics/blocked?limit=1").send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.isEmpty() ? new JsonObject() : reports.getJsonObject(0);
  }

  private static long latestReportId() {
    return latestReport().getLong("id", 0L);
  }
}
