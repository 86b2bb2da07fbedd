package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.testing.Java21;
import io.loopscope.testing.SharedServiceClients;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.condition.EnabledForJreRange;
import org.junit.jupiter.api.condition.JRE;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LoopWatch sees virtual threads, which Vert.x's own checker does not: a carrier pinned past the
 * threshold (JFR's jdk.VirtualThreadPinned) and a virtual thread that runs on without parking are each
 * one report, in pool virtual-thread, naming the route, with a stack; the well-behaved /vt routes under
 * load are none. The detection delays are printed for the perf notes.
 */
@EnabledForJreRange(min = JRE.JAVA_21, disabledReason = Java21.WHY)
class VirtualThreadWatchTest {

  private static final String PINNED_ROUTE = "GET /vt/pinned";
  private static final String SPIN_ROUTE = "GET /vt/spin";
  private static final List<String> GOOD_ENDPOINTS = List.of("/vt/test/async?ms=20", "/vt/test/sync?ms=20",
    "/vt/bad-example?ms=20", "/vt/gather?n=3&ms=20", "/vt/users/42/overview");

  @RegisterExtension
  static final SharedServiceClients service = new SharedServiceClients();
  private long lastReportBefore;

  @BeforeEach
  void markReports() {
    lastReportBefore = lastReportId();
  }

  @Test
  void a_carrier_pinned_for_300_ms_is_one_pinned_report_naming_the_route_with_a_stack_confirmed_by_jfr() {
    long sentAt = System.nanoTime();
    Future<HttpResponse<Buffer>> pinning = service.api().get("/vt/pinned?ms=300").send();

    JsonObject live = awaitReport(PINNED_ROUTE, report -> true);
    long seenAfterMs = (System.nanoTime() - sentAt) / 1_000_000;
    assertThat(pinning.await().statusCode()).isEqualTo(200);
    long answeredAt = System.nanoTime();
    JsonObject confirmed = awaitReport(PINNED_ROUTE, report -> report.getBoolean("jfr"));
    long confirmedAfterMs = (System.nanoTime() - answeredAt) / 1_000_000;

    assertThat(live.getString("pool")).isEqualTo("virtual-thread");
    assertThat(live.getBoolean("pinned")).isTrue();
    assertThat(stackOf(live)).anyMatch(frame -> frame.contains("CarrierPin"));
    assertThat(confirmed.getLong("id")).as("JFR's event completes the same report").isEqualTo(live.getLong("id"));
    assertThat(confirmed.getDouble("durationMs")).as("how long the carrier was pinned").isBetween(250.0, 2_000.0);
    if (Runtime.version().feature() >= 24) {
      assertThat(confirmed.getString("pinnedReason")).contains("<clinit>");
    }
    assertThat(newReports()).as("reports").hasSize(1);
    System.out.printf("pinned: seen %.0f ms after the pinning began (%d ms after the request), JFR's event %d ms after the response%n",
      live.getDouble("detectedAfterMs"), seenAfterMs, confirmedAfterMs);
  }

  @Test
  void a_virtual_thread_spinning_for_300_ms_is_one_hogging_report_naming_the_route_with_a_stack() {
    Future<HttpResponse<Buffer>> spinning = service.api().get("/vt/spin?ms=300").send();

    JsonObject report = awaitReport(SPIN_ROUTE, found -> true);
    assertThat(spinning.await().statusCode()).isEqualTo(200);

    assertThat(report.getString("pool")).isEqualTo("virtual-thread");
    assertThat(report.getBoolean("pinned")).isFalse();
    assertThat(report.getString("thread")).startsWith("vert.x-virtual-thread-");
    assertThat(stackOf(report)).anyMatch(frame -> frame.contains("Spin.spinFor"));
    assertThat(newReports()).as("reports").hasSize(1);
    assertThat(service.admin().get("/metrics").send().await().bodyAsString())
      .containsPattern("loopscope_blocked_total\\{pool=\"virtual-thread\",route=\"GET /vt/spin\"} [1-9]");
    System.out.printf("hogging: reported %.0f ms after the spin began (threshold %.0f ms)%n",
      report.getDouble("detectedAfterMs"), report.getDouble("thresholdMs"));
  }

  @Test
  void the_good_vt_endpoints_under_load_produce_no_report() {
    List<Future<HttpResponse<Buffer>>> workers = new ArrayList<>();
    for (int w = 0; w < 50; w++) {
      Future<HttpResponse<Buffer>> chain = Future.succeededFuture();
      for (int k = w; k < 500; k += 50) {
        String uri = GOOD_ENDPOINTS.get(k % GOOD_ENDPOINTS.size());
        chain = chain.compose(previous -> service.api().get(uri).timeout(30_000).send()
          .map(response -> {
            assertThat(response.statusCode()).as(uri).isEqualTo(200);
            return response;
          }));
      }
      workers.add(chain);
    }
    Future.all(workers).await();
    // JFR delivers in order: once it has confirmed a later pinning, any pinning in the load would be reported too
    assertThat(service.api().get("/vt/pinned?ms=150").send().await().statusCode()).isEqualTo(200);
    awaitReport(PINNED_ROUTE, report -> report.getBoolean("jfr"));

    // an event loop the OS starved on a busy machine is reported as a framework task: NoBlockedLoopsTest's matter
    assertThat(newReports()).as("reports on virtual threads or /vt routes after 500 good calls and one marker pinning")
      .filteredOn(report -> "virtual-thread".equals(report.getString("pool")) || report.getString("route").contains(" /vt/"))
      .extracting(report -> report.getString("route")).containsExactly(PINNED_ROUTE);
  }

  /** The first new report on {@code route} that {@code matches}, within 5 s. */
  private JsonObject awaitReport(String route, Predicate<JsonObject> matches) {
    return await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20))
      .until(() -> newReports().stream().filter(report -> route.equals(report.getString("route")) && matches.test(report))
        .findFirst(), Optional::isPresent)
      .orElseThrow();
  }

  private List<JsonObject> newReports() {
    return reports(500).stream().filter(report -> report.getLong("id") > lastReportBefore).toList();
  }

  private static long lastReportId() {
    List<JsonObject> reports = reports(1);
    return reports.isEmpty() ? 0 : reports.get(0).getLong("id");
  }

  private static List<JsonObject> reports(int limit) {
    JsonArray reports = service.admin().get("/diagnostics/blocked?limit=" + limit).send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.stream().map(JsonObject.class::cast).toList();
  }

  private static List<String> stackOf(JsonObject report) {
    return report.getJsonArray("stack").stream().map(String.class::cast).toList();
  }
}
