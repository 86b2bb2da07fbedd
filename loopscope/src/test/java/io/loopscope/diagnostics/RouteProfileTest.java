package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LoopWatch's route profile and stall victims on a whole service of this class's own (its loops are blocked
 * on purpose): a known mix of requests is counted exactly and ranked by the loop time it took, and a stall
 * names the requests it held up, and none when there were none.
 */
class RouteProfileTest {

  private static TestService service;
  private static Vertx vertx;
  private static WebClient api;
  private static WebClient admin;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of());
    vertx = Vertx.vertx();
    api = service.apiClient(vertx);
    admin = service.adminClient(vertx);
    // the first calls of each route on each loop load classes and warm the JIT: not what these tests measure
    inChains(10, 100, () -> get(api, "/test/async?ms=1").send()).await();
    inChains(4, 8, () -> api.post("/process").timeout(30_000).sendBuffer(Buffer.buffer("[3,1,2]"))).await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    service.close();
  }

  @BeforeEach
  void reset() {
    admin.post("/diagnostics/reset").send().await();
  }

  @Test
  void a_known_mix_is_counted_exactly_per_route_and_the_bad_example_comes_first() {
    inChains(20, 400, () -> get(api, "/test/async?ms=1").send()).await();
    inChains(10, 50, () -> api.post("/process").timeout(30_000).sendBuffer(Buffer.buffer("[5,3,9,1,7,2,8]"))).await();
    inChains(1, 3, () -> get(api, "/bad-example?ms=300").send()).await();

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(requestsByRoute())
      .isEqualTo(Map.of("GET /test/async", 400L, "POST /process", 50L, "GET /bad-example", 3L)));
    JsonArray routes = routes("all");
    assertThat(routes.getJsonObject(0).getString("route")).as("most loop busy time first").isEqualTo("GET /bad-example");
    JsonObject bad = route(routes, "GET /bad-example");
    assertThat(bad.getJsonObject("loopBusyMs").getDouble("p99")).isGreaterThanOrEqualTo(250.0);
    assertThat(bad.getJsonObject("loopBusyMs").getLong("overThreshold")).isEqualTo(3);
    JsonObject async = route(routes, "GET /test/async");
    assertThat(async.getJsonObject("loopBusyMs").getDouble("p99")).isLessThan(5.0);
    assertThat(async.getJsonObject("wallMs").getDouble("p50")).as("a 1-ms timer each").isGreaterThanOrEqualTo(1.0);
    assertThat(route(routes, "POST /process").getJsonObject("workerQueuedMs")).as("the sort ran on the cpu pool").isNotNull();
    assertThat(routes("60s")).as("the last 60 s hold the same requests").hasSize(3);
  }

  @Test
  void a_request_whose_client_leaves_before_its_answer_is_profiled_once_as_it_is_reset() {
    NetSocket socket = vertx.createNetClient().connect(service.apiPort(), "127.0.0.1").await();
    socket.write("GET /test/async?ms=1500 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await();
    await().atMost(Duration.ofSeconds(5)).until(RouteProfileTest::aRequestIsInFlight);
    socket.close().await();

    // Vert.x reports the reset to LoopWatch's request metric: the request ends then, not when its timer fires
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(requestsByRoute()).containsEntry("GET /test/async", 1L));
    assertThat(route(routes("all"), "GET /test/async").getJsonObject("wallMs").getDouble("p99")).isLessThan(1500.0);
    await().pollDelay(Duration.ofMillis(1600)).atMost(Duration.ofSeconds(5))
      .untilAsserted(() -> assertThat(requestsByRoute()).as("not again when its timer fires").containsEntry("GET /test/async", 1L));
  }

  @Test
  void a_stall_names_the_requests_sent_meanwhile_as_its_victims() {
    WebClient fresh = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(service.apiPort()).setKeepAlive(false), new PoolOptions().setHttp1MaxSize(100));
    Future<HttpResponse<Buffer>> stall = api.get("/bad-example?ms=500").timeout(10_000).send();
    await().atMost(Duration.ofSeconds(5)).until(() -> loopRunning("GET /bad-example"));

    // new connections are spread over the loops: some land on the blocked one and wait for it
    inChains(60, 60, () -> get(fresh, "/test/async?ms=1").send()).await();
    stall.await();

    JsonObject victims = awaitVictims();
    assertThat(victims.getInteger("requests")).isGreaterThanOrEqualTo(1);
    assertThat(victims.getJsonObject("routes").getInteger("GET /test/async")).isGreaterThanOrEqualTo(1);
    assertThat(victims.getDouble("maxWaitMs")).isGreaterThan(0.0);
    fresh.close();
  }

  @Test
  void a_stall_with_nothing_else_sent_has_no_victims() {
    api.get("/bad-example?ms=500").timeout(10_000).send().await();

    JsonObject victims = awaitVictims();
    assertThat(victims.getInteger("requests")).isZero();
    assertThat(victims.getJsonObject("routes")).isEmpty();
  }

  private static JsonObject awaitVictims() {
    await().atMost(Duration.ofSeconds(10)).until(() -> latestReport().getJsonObject("victims", new JsonObject())
      .getBoolean("counted", false));
    JsonObject report = latestReport();
    assertThat(report.getString("route")).isEqualTo("GET /bad-example");
    assertThat(report.getJsonObject("culprit").getString("method")).isEqualTo("BlockingUpstreamClient.fetchPostBlocking");
    return report.getJsonObject("victims");
  }

  private static JsonObject latestReport() {
    JsonArray reports = admin.get("/diagnostics/blocked?limit=1").send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.isEmpty() ? new JsonObject() : reports.getJsonObject(0);
  }

  private static boolean loopRunning(String route) {
    return admin.get("/diagnostics/event-loops").send().await().bodyAsJsonObject().getJsonArray("loops").stream()
      .map(JsonObject.class::cast).anyMatch(loop -> route.equals(loop.getString("running")));
  }

  private static boolean aRequestIsInFlight() {
    return admin.get("/metrics").send().await().bodyAsString().lines()
      .anyMatch(line -> line.startsWith("vertx_http_server_active_requests") && !line.endsWith(" 0.0"));
  }

  private static Map<String, Long> requestsByRoute() {
    return routes("all").stream().map(JsonObject.class::cast)
      .collect(Collectors.toMap(route -> route.getString("route"), route -> route.getLong("requests")));
  }

  private static JsonArray routes(String window) {
    return admin.get("/diagnostics/routes?window=" + window).send().await().bodyAsJsonObject().getJsonArray("routes");
  }

  private static JsonObject route(JsonArray routes, String name) {
    return routes.stream().map(JsonObject.class::cast).filter(route -> name.equals(route.getString("route")))
      .findFirst().orElseThrow(() -> new AssertionError(name + " not in " + routes.encode()));
  }

  /** {@code total} calls in {@code chains} concurrent chains, each call after the previous one of its chain; all must be 200. */
  static Future<Void> inChains(int chains, int total, Supplier<Future<HttpResponse<Buffer>>> call) {
    List<Future<Void>> all = new ArrayList<>();
    for (int c = 0; c < chains; c++) {
      Future<Void> chain = Future.succeededFuture();
      for (int k = c; k < total; k += chains) {
        chain = chain.compose(v -> call.get().map(response -> {
          assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
          return null;
        }));
      }
      all.add(chain);
    }
    return Future.all(all).mapEmpty();
  }

  /** A GET with the test's timeout. */
  static HttpRequest<Buffer> get(WebClient client, String uri) {
    return client.get(uri).timeout(30_000);
  }
}
