package io.loopscope.http;

import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.loopscope.http.HostileInputTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Heap shedding end to end: the service shares this JVM's heap, so the test fills the old generation past
 * the high-water mark itself (a mark set just above what the JVM holds now), and empties it again.
 */
class HeapSheddingTest {

  private static final long MARGIN = 64L * 1024 * 1024;
  private static Vertx vertx;
  private static TestService service;
  private static int percent;
  private static long ballastBytes;

  @BeforeAll
  static void start() {
    System.gc();
    long max = Runtime.getRuntime().maxMemory();
    long held = tenuredUsedAfterGc() + 2 * MARGIN;
    percent = (int) Math.min(99, held * 100 / max + 1);
    ballastBytes = max / 100 * percent - tenuredUsedAfterGc() + MARGIN;
    service = TestService.start(Map.of("http.shedHeapPercent", percent));
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    service.close();
    vertx.close();
  }

  private static long tenuredUsedAfterGc() {
    return ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isCollectionUsageThresholdSupported())
      .filter(pool -> !pool.getName().contains("Eden") && !pool.getName().contains("Survivor"))
      .mapToLong(pool -> pool.getCollectionUsage().getUsed()).sum();
  }

  @Test
  void above_the_high_water_mark_bodies_get_503_readiness_says_overloaded_and_liveness_stays_up() throws Exception {
    WebClient api = service.apiClient(vertx);
    WebClient admin = service.adminClient(vertx);
    long[][] ballast = new long[(int) (ballastBytes / (8 * 1024 * 1024)) + 1][];
    for (int i = 0; i < ballast.length; i++) {
      ballast[i] = new long[1024 * 1024];
    }
    System.gc();

    await().atMost(Duration.ofSeconds(10)).until(() -> get(admin.get("/health/ready").send()).statusCode() == 503);
    assertThat(get(admin.get("/health/ready").send()).bodyAsString()).contains("\"id\":\"heap\"").contains("overloaded");
    assertThat(get(admin.get("/health/live").send()).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> shed = get(api.post("/process").sendBuffer(Buffer.buffer("[3,1,2]")));
    assertProblem(shed, 503, "saturated");
    assertThat(shed.getHeader("retry-after")).isEqualTo("5");
    assertThat(get(api.get("/test/async?ms=0").send()).statusCode()).as("requests without bodies are served").isEqualTo(200);
    JsonObject overload = get(admin.get("/diagnostics/overload").send()).bodyAsJsonObject();
    assertThat(overload.getBoolean("overloaded")).isTrue();
    assertThat(overload.getJsonObject("shed").getLong("heap")).isPositive();
    assertThat(get(admin.get("/metrics").send()).bodyAsString()).contains("loopscope_requests_shed_total{reason=\"heap\"} 1.0")
      .contains("loopscope_heap_overloaded 1.0");

    assertThat(ballast).isNotEmpty();
    ballast = null;
    System.gc();

    await().atMost(Duration.ofSeconds(10)).until(() -> get(admin.get("/health/ready").send()).statusCode() == 200);
    assertThat(get(api.post("/process").sendBuffer(Buffer.buffer("[3,1,2]"))).statusCode()).isEqualTo(200);
  }

  private static <T> T get(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
