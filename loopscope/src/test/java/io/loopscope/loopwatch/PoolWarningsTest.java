package io.loopscope.loopwatch;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.loopscope.testing.Burst;
import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * LoopWatch's pool lints against a whole service: a blocking pool too small for its load raises one
 * {@code pool-saturated} warning naming the route whose work waits, the default pool at the article's
 * 100 connections does not; ordered {@code executeBlocking} calls that queue behind each other raise
 * {@code ordered-serialised}, unordered ones do not.
 */
class PoolWarningsTest {

  private static TestService defaults;
  private static Vertx vertx;
  private WebClient api;
  private WebClient admin;

  @BeforeAll
  static void start() {
    defaults = TestService.start(Map.of());
    vertx = Vertx.vertx();
    // the blocking pool starts its threads as work first comes: starting 100 on a busy machine is not queueing
    Burst.get(defaults.apiClient(vertx), 100, "/test/sync?ms=10").await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
    defaults.close();
  }

  @BeforeEach
  void connect() {
    api = defaults.apiClient(vertx);
    admin = defaults.adminClient(vertx);
    admin.post("/diagnostics/reset").send().await();
  }

  @Test
  void a_blocking_pool_of_20_at_300_connections_raises_one_pool_saturated_warning_naming_the_route() {
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    Logger warningsLog = (Logger) LoggerFactory.getLogger(Warnings.class);
    warningsLog.addAppender(logs);
    try (TestService small = TestService.start(Map.of("workers.blockingPoolSize", 20))) {
      WebClient smallApi = small.apiClient(vertx);
      WebClient smallAdmin = small.adminClient(vertx);

      Burst.Result burst = Burst.get(smallApi, 300, "/test/sync?ms=100").await();
      assertThat(burst.count(200)).isEqualTo(300);

      List<JsonObject> saturated = warnings(smallAdmin, Warnings.POOL_SATURATED);
      assertThat(saturated).singleElement().satisfies(warning -> {
        assertThat(warning.getString("pool")).isEqualTo("vert.x-worker-thread");
        assertThat(warning.getString("route")).isEqualTo("GET /test/sync");
        assertThat(warning.getInteger("poolSize")).isEqualTo(20);
        assertThat(warning.getInteger("queueDepth")).isPositive();
        assertThat(warning.getDouble("queuedMs")).isGreaterThan(100.0);
        assertThat(warning.getLong("count")).as("tasks that waited too long, in one episode").isGreaterThan(1);
      });
      assertThat(logs.list.stream().filter(event -> event.getLevel() == Level.WARN)
        .filter(event -> event.getFormattedMessage().contains("saturated")).toList())
        .as("one WARN line per episode, not per task").hasSize(1);
      assertThat(smallAdmin.get("/metrics").send().await().bodyAsString())
        .contains("loopscope_pool_saturated_total{pool=\"vert.x-worker-thread\",route=\"GET /test/sync\"} 1.0");
    } finally {
      warningsLog.detachAppender(logs);
    }
  }

  @Test
  void the_default_blocking_pool_at_100_connections_is_not_saturated() {
    for (int round = 0; round < 3; round++) {
      assertThat(Burst.get(api, 100, "/test/sync?ms=100").await().count(200)).isEqualTo(100);
    }

    assertThat(warnings(admin, Warnings.POOL_SATURATED)).isEmpty();
    // a generous margin: on a machine busy with other builds a free thread was seen to wake 224 ms late; a
    // saturated pool queues for seconds (the 20-thread pool above: 1.4 s at p99)
    assertThat(workerQueuedP99Ms("GET /test/sync")).isLessThan(500.0);
  }

  @Test
  void an_ordered_burst_raises_ordered_serialised() {
    assertThat(Burst.get(api, 20, "/test/sync?ms=100&ordered=true").await().count(200)).isEqualTo(20);

    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(warnings(admin, Warnings.ORDERED_SERIALISED))
      .singleElement().satisfies(warning -> {
        assertThat(warning.getString("route")).isEqualTo("GET /test/sync");
        assertThat(warning.getDouble("queuedMs")).isGreaterThan(warning.getDouble("runMs"));
      }));
    assertThat(warnings(admin, Warnings.POOL_SATURATED)).as("the pool had threads to spare").isEmpty();
  }

  @Test
  void an_unordered_burst_does_not() {
    assertThat(Burst.get(api, 20, "/test/sync?ms=100").await().count(200)).isEqualTo(20);

    assertThat(warnings(admin, Warnings.ORDERED_SERIALISED)).isEmpty();
    assertThat(workerQueuedP99Ms("GET /test/sync")).isLessThan(50.0);
  }

  private double workerQueuedP99Ms(String route) {
    await().atMost(Duration.ofSeconds(5)).until(() -> routeEntry(route) != null);
    return routeEntry(route).getJsonObject("workerQueuedMs").getDouble("p99");
  }

  private JsonObject routeEntry(String route) {
    return admin.get("/diagnostics/routes").send().await().bodyAsJsonObject().getJsonArray("routes").stream()
      .map(JsonObject.class::cast).filter(entry -> route.equals(entry.getString("route"))).findFirst().orElse(null);
  }

  private static List<JsonObject> warnings(WebClient admin, String kind) {
    return admin.get("/diagnostics/warnings").send().await().bodyAsJsonObject().getJsonArray("warnings").stream()
      .map(JsonObject.class::cast).filter(warning -> kind.equals(warning.getString("kind"))).toList();
  }
}
