package io.loopscope.http;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.loopscope.diagnostics.DemoBurst;
import io.loopscope.loopwatch.LoopWatch;

import io.loopscope.testing.RawHttp;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LoopWatch seen from the admin port of a whole service: the article's bad example caught, named and
 * streamed; lag, metrics and readiness reflecting it. The service is this class's own, since its loops
 * are blocked on purpose.
 */
class DiagnosticsRoutesTest {

  private static TestService service;
  private static Vertx vertx;
  private WebClient api;
  private WebClient admin;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    service.close();
  }

  @BeforeEach
  void connect() {
    api = service.apiClient(vertx);
    admin = service.adminClient(vertx);
    admin.post("/diagnostics/reset").send().await();
  }

  @AfterEach
  void close() {
    api.close();
    admin.close();
  }

  @Test
  void the_bad_example_is_one_report_for_its_route_with_the_blocking_call_on_the_stack() {
    long sent = System.nanoTime();
    assertThat(api.get("/bad-example?ms=300").send().await().statusCode()).isEqualTo(200);

    // visible within a second of the response
    await().atMost(Duration.ofSeconds(1)).until(() -> finished(reports("")).size() == 1);
    assertThat(System.nanoTime() - sent).isLessThan(Duration.ofSeconds(3).toNanos());
    JsonObject report = reports("").getJsonObject(0);
    assertThat(report.getString("route")).isEqualTo("GET /bad-example");
    assertThat(report.getString("kind")).isEqualTo("http");
    assertThat(report.getString("pool")).isEqualTo("event-loop");
    assertThat(report.getString("thread")).isEqualTo("vert.x-eventloop-thread-" + report.getInteger("loop"));
    assertThat(report.getDouble("durationMs")).isGreaterThanOrEqualTo(300);
    assertThat(report.getJsonArray("stack").encode())
      .contains("java.net.http", "HttpClientImpl.send", "BlockingUpstreamClient.fetchPostBlocking", "ArticleRoutes.badExample");
  }

  @Test
  void the_warn_line_of_a_stall_names_the_admin_path_that_serves_its_report() {
    Logger loopWatchLog = (Logger) LoggerFactory.getLogger(LoopWatch.class);
    ListAppender<ILoggingEvent> logged = new ListAppender<>();
    logged.start();
    loopWatchLog.addAppender(logged);
    try {
      api.get("/bad-example?ms=150").send().await();
      await().atMost(Duration.ofSeconds(2)).until(() -> finished(reports("")).size() == 1);
      int id = reports("").getJsonObject(0).getInteger("id");

      List<String> warnings;
      synchronized (logged) {
        warnings = logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
      }
      assertThat(warnings).anyMatch(line -> line.startsWith("Blocked event-loop: ")
        && line.endsWith("report " + id + " at /diagnostics/blocked"));
    } finally {
      loopWatchLog.detachAppender(logged);
    }
  }

  @Test
  void reports_filter_by_route_and_limit() {
    Future.all(api.get("/bad-example?ms=150").send(), api.get("/bad-example?ms=150").send()).await();
    await().atMost(Duration.ofSeconds(2)).until(() -> finished(reports("")).size() == 2);

    assertThat(reports("?limit=1")).hasSize(1);
    assertThat(reports("?route=GET%20/bad-example")).hasSize(2);
    assertThat(reports("?route=GET%20/good-example")).isEmpty();
  }

  @Test
  void off_the_cluster_scope_cluster_and_the_node_list_answer_for_this_node_alone() {
    api.get("/bad-example?ms=150").send().await();
    await().atMost(Duration.ofSeconds(2)).until(() -> finished(reports("")).size() == 1);
    String node = reports("").getJsonObject(0).getString("node");

    assertThat(node).endsWith("-" + ProcessHandle.current().pid());
    assertThat(reports("?scope=cluster")).isEqualTo(reports("?scope=local"));
    JsonObject nodes = admin.get("/diagnostics/nodes").send().await().bodyAsJsonObject();
    assertThat(nodes.getString("node")).isEqualTo(node);
    assertThat(nodes.getJsonArray("nodes")).hasSize(1);
    JsonObject self = nodes.getJsonArray("nodes").getJsonObject(0);
    assertThat(self.getString("node")).isEqualTo(node);
    assertThat(self.getString("role")).isEqualTo("api");
    assertThat(self.getLong("stalls")).isGreaterThanOrEqualTo(1);
    assertThat(admin.get("/diagnostics/blocked?scope=fleet").send().await().statusCode()).isEqualTo(400);
  }

  @Test
  void the_blocked_loop_shows_lag_and_metrics_show_counter_and_histograms() {
    api.get("/bad-example?ms=300").send().await();
    await().atMost(Duration.ofSeconds(2)).until(() -> finished(reports("")).size() == 1);
    int loop = reports("").getJsonObject(0).getInteger("loop");

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      JsonObject lag = eventLoop(loop).getJsonObject("lag");
      assertThat(lag.getJsonObject("last10s").getDouble("maxMs")).isGreaterThanOrEqualTo(250);
    });
    String metrics = admin.get("/metrics").send().await().bodyAsString();
    assertThat(metrics)
      .contains("loopscope_blocked_total{pool=\"event-loop\",route=\"GET /bad-example\"}")
      .contains("loopscope_blocked_seconds_bucket{le=\"0.5\"}")
      .contains("loopscope_eventloop_lag_seconds_bucket{loop=\"" + loop + "\"");
  }

  @Test
  void while_a_loop_is_stalled_it_shows_busy_with_its_route_and_readiness_is_down() {
    assertThat(admin.get("/health/ready").send().await().statusCode()).isEqualTo(200);
    // 3.5 s, so that the 1-s limit is passed with time for two slow polls to land past it (the db check,
    // whose connection may live on the blocked loop, can take its 800-ms timeout to answer meanwhile)
    Future<HttpResponse<Buffer>> stall = api.get("/bad-example?ms=3500").send();

    // polled while the stall lasts: what the probe answered then
    AtomicReference<HttpResponse<Buffer>> down = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(4)).until(() -> {
      HttpResponse<Buffer> ready = admin.get("/health/ready").send().await();
      down.set(ready);
      return ready.statusCode() == 503 && ready.bodyAsString().contains("stalledMs");
    });
    assertThat(down.get().bodyAsString()).contains("event-loops", "GET /bad-example");
    assertThat(admin.get("/health/live").send().await().statusCode()).isEqualTo(200);
    assertThat(stall.await().statusCode()).isEqualTo(200);
    // UP once the stall is over, unless the loop's 10-s lag p99 says it is still slow: within the window at most
    await().atMost(Duration.ofSeconds(12)).until(() -> admin.get("/health/ready").send().await().statusCode() == 200);
  }

  @Test
  void event_loops_show_the_stalled_loop_busy_with_its_route() {
    Future<HttpResponse<Buffer>> stall = api.get("/bad-example?ms=1500").send();

    await().atMost(Duration.ofSeconds(2)).until(() -> loops().stream().map(JsonObject.class::cast)
      .anyMatch(loop -> loop.getBoolean("busy") && "GET /bad-example".equals(loop.getString("running"))));
    assertThat(stall.await().statusCode()).isEqualTo(200);
  }

  @Test
  void the_stream_delivers_a_report_to_a_connected_client() {
    HttpClient client = vertx.createHttpClient();
    StringBuffer received = new StringBuffer();
    HttpClientResponse stream = client.request(HttpMethod.GET, service.adminPort(), "127.0.0.1", "/diagnostics/stream")
      .compose(request -> request.send())
      .await();
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.getHeader("Content-Type")).startsWith("text/event-stream");
    stream.handler(chunk -> received.append(chunk.toString()));

    api.get("/bad-example?ms=200").send().await();
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(received.toString())
      .contains("event: blocked\ndata: {").contains("\"route\":\"GET /bad-example\"").contains("\"ongoing\":false"));
    await().atMost(Duration.ofSeconds(3)).untilAsserted(() -> assertThat(received.toString()).contains("event: lag\ndata: {"));
    client.close().await();
  }

  @Test
  void the_demo_control_fires_bad_and_good_calls_and_they_are_reported() {
    JsonObject result = admin.post("/diagnostics/demo").send().await().bodyAsJsonObject();

    assertThat(result.getJsonObject("badExample").getJsonObject("statuses").getInteger("200")).isEqualTo(DemoBurst.BAD_CALLS);
    assertThat(result.getJsonObject("goodExample").getJsonObject("statuses").getInteger("200")).isEqualTo(DemoBurst.GOOD_CALLS);
    await().atMost(Duration.ofSeconds(2)).until(() -> finished(reports("")).size() >= 1);
    assertThat(reports("")).allSatisfy(report -> assertThat(((JsonObject) report).getString("route")).isEqualTo("GET /bad-example"));
  }

  @Test
  void a_second_demo_while_one_runs_is_a_409_problem() {
    List<Future<HttpResponse<Buffer>>> both = IntStream.range(0, 2).mapToObj(i -> admin.post("/diagnostics/demo").send()).toList();
    Future.all(both).await();

    assertThat(both.stream().map(f -> f.result().statusCode()).toList()).containsExactlyInAnyOrder(200, 409);
    HttpResponse<Buffer> conflict = both.stream().map(Future::result).filter(r -> r.statusCode() == 409).findFirst().orElseThrow();
    assertThat(conflict.getHeader("Content-Type")).isEqualTo("application/problem+json");
  }

  @ParameterizedTest
  @ValueSource(strings = {"?limit=abc", "?limit=0", "?limit=-1", "?limit=99999999999", "?limit=1&limit=2", "?limit=1e3",
    "?route=%00", "?route=GET%0A/bad-example"})
  void bad_report_queries_are_400_problems_naming_the_parameter(String query) {
    HttpResponse<Buffer> response = admin.get("/diagnostics/blocked" + query).send().await();

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/problem+json");
    JsonObject problem = response.bodyAsJsonObject();
    assertThat(problem.getString("field")).isIn("limit", "route");
    assertThat(problem.encode()).doesNotContain("Exception", "at io.");
  }

  @Test
  void an_oversized_route_filter_is_a_400_and_the_admin_port_stays_healthy() {
    HttpResponse<Buffer> response = admin.get("/diagnostics/blocked?route=" + "x".repeat(DiagnosticsRoutes.MAX_ROUTE_FILTER + 1))
      .send().await();
    assertThat(response.statusCode()).isEqualTo(400);

    String garbage = RawHttp.exchange(vertx, service.adminPort(), "\u0000\u0001NOT HTTP\r\n\r\n").await();
    assertThat(garbage).startsWith("HTTP/1.").contains(" 400 ", "application/problem+json");
    assertThat(admin.get("/diagnostics/event-loops").send().await().statusCode()).isEqualTo(200);
    assertThat(admin.get("/health/ready").send().await().statusCode()).isEqualTo(200);
  }

  @Test
  void wrong_methods_are_405_problems() {
    assertThat(admin.get("/diagnostics/reset").send().await().statusCode()).isEqualTo(405);
    assertThat(admin.delete("/diagnostics/blocked").send().await().statusCode()).isEqualTo(405);
    assertThat(admin.get("/diagnostics/demo").send().await().getHeader("Content-Type")).isEqualTo("application/problem+json");
  }

  @Test
  void the_dashboard_and_its_chart_library_are_served_without_a_cdn() {
    HttpResponse<Buffer> page = admin.get("/dashboard").send().await();
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.bodyAsString()).contains("/dashboard/assets/uPlot.iife.min.js", "/diagnostics/stream", "run-demo")
      .doesNotContain("https://", "http://");
    HttpResponse<Buffer> uplot = admin.get(DiagnosticsRoutes.ASSETS + "uPlot.iife.min.js").send().await();
    assertThat(uplot.statusCode()).isEqualTo(200);
    assertThat(uplot.bodyAsString()).contains("uPlot");
  }

  private JsonArray reports(String query) {
    return admin.get("/diagnostics/blocked" + query).send().await().bodyAsJsonObject().getJsonArray("reports");
  }

  private static List<JsonObject> finished(JsonArray reports) {
    return reports.stream().map(JsonObject.class::cast).filter(report -> !report.getBoolean("ongoing")).toList();
  }

  private JsonArray loops() {
    return admin.get("/diagnostics/event-loops").send().await().bodyAsJsonObject().getJsonArray("loops");
  }

  private JsonObject eventLoop(int loop) {
    return loops().stream().map(JsonObject.class::cast).filter(l -> l.getInteger("loop") == loop).findFirst().orElseThrow();
  }
}
