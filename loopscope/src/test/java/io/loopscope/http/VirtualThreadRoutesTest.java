package io.loopscope.http;

import io.loopscope.testing.Burst;
import io.loopscope.testing.Java21;
import io.loopscope.testing.SharedServiceClients;
import io.loopscope.vthreads.VirtualThreads;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * The /vt routes: the article's endpoints written top to bottom on virtual threads. A hundred concurrent
 * waits of 100 ms overlap whether they await a timer or simply sleep; the blocking upstream call that
 * stalls an event loop in /bad-example parks only its virtual thread here. Bad input is the same 400
 * problem as everywhere; on Java 17 the routes answer 501.
 */
class VirtualThreadRoutesTest {

  @RegisterExtension
  static final SharedServiceClients service = new SharedServiceClients();

  @Test
  void a_hundred_concurrent_async_waits_of_100_ms_finish_well_under_a_second() {
    Java21.assumeVirtualThreads();
    Burst.Result burst = warmedBurst("/vt/test/async?ms=100");

    assertThat(burst.count(200)).isEqualTo(100);
    assertThat(burst.elapsedMs()).as("100 x 100 ms awaited at once").isBetween(100L, 999L);
  }

  @Test
  void a_hundred_concurrent_plain_sleeps_of_100_ms_finish_well_under_a_second_without_a_thread_pool() {
    Java21.assumeVirtualThreads();
    Burst.Result burst = warmedBurst("/vt/test/sync?ms=100");

    assertThat(burst.count(200)).isEqualTo(100);
    assertThat(burst.elapsedMs()).as("100 x Thread.sleep(100) on virtual threads").isBetween(100L, 999L);
    assertThat(burst.responses()).allSatisfy(response ->
      assertThat(response.bodyAsJsonObject().getString("thread")).startsWith("vert.x-virtual-thread-"));
  }

  @Test
  void a_hundred_concurrent_blocking_upstream_calls_finish_fast_and_block_no_event_loop() {
    Java21.assumeVirtualThreads();
    long lastReportBefore = lastReportId();
    Burst.Result burst = warmedBurst("/vt/bad-example?ms=100");

    assertThat(burst.count(200)).isEqualTo(100);
    assertThat(burst.elapsedMs()).as("100 blocking calls of 100 ms, each on its virtual thread").isLessThan(1_500L);
    assertThat(reportsSince(lastReportBefore)).as("reports naming /vt/bad-example, on an event loop or a virtual thread")
      .filteredOn(report -> report.contains("/vt/bad-example")).isEmpty();
  }

  @Test
  void gather_awaits_the_calls_together_and_sequential_awaits_one_after_another() {
    Java21.assumeVirtualThreads();
    JsonObject together = getJson("/vt/gather?n=5&ms=200");
    JsonObject oneByOne = getJson("/vt/gather?n=5&ms=200&mode=sequential");

    assertThat(together.getString("mode")).isEqualTo("all");
    assertThat(together.getJsonArray("calls")).hasSize(5);
    assertThat(together.getLong("elapsedMs")).as("5 x 200 ms together").isBetween(200L, 900L);
    assertThat(oneByOne.getString("mode")).isEqualTo("sequential");
    assertThat(oneByOne.getLong("elapsedMs")).as("5 x 200 ms in a row").isGreaterThanOrEqualTo(1_000L);
    assertThat(oneByOne.getJsonArray("calls").getJsonObject(4).getInteger("index")).isEqualTo(4);
  }

  @Test
  void the_user_overview_awaits_its_three_queries_together_like_the_event_loop_route() {
    Java21.assumeVirtualThreads();
    JsonObject together = getJson("/vt/users/42/overview?latency=true");
    JsonObject onEventLoop = getJson("/users/42/overview?latency=true");
    JsonObject oneByOne = getJson("/vt/users/42/overview?latency=true&mode=sequential");

    assertThat(together.getJsonObject("user")).isEqualTo(onEventLoop.getJsonObject("user"));
    assertThat(together.getJsonArray("orders")).isEqualTo(onEventLoop.getJsonArray("orders"));
    assertThat(together.getJsonObject("timings").getLong("totalMs")).as("the slowest query, 80 ms").isBetween(80L, 169L);
    assertThat(oneByOne.getJsonObject("timings").getLong("totalMs")).as("the sum, 170 ms").isGreaterThanOrEqualTo(170L);
  }

  @Test
  void bad_input_and_unknown_users_are_the_same_problems_as_on_the_event_loop_routes() {
    Java21.assumeVirtualThreads();
    for (String uri : List.of("/test/async?ms=-1", "/vt/test/async?ms=-1")) {
      HttpResponse<Buffer> response = service.api().get(uri).send().await();
      assertThat(response.statusCode()).as(uri).isEqualTo(400);
      assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
      assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("ms");
    }
    assertThat(service.api().get("/vt/gather?n=0").send().await().bodyAsJsonObject().getString("field")).isEqualTo("n");
    assertThat(service.api().get("/vt/gather?mode=any").send().await().bodyAsJsonObject().getString("field")).isEqualTo("mode");
    HttpResponse<Buffer> missing = service.api().get("/vt/users/99999999/overview").send().await();
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getString("type")).endsWith(":not-found");
  }

  @Test
  void on_java_17_the_vt_routes_answer_501_problem_json_and_the_rest_still_works() {
    assumeFalse(VirtualThreads.supported(), "this Java runs virtual threads; the 501 is for Java 17-20");
    HttpResponse<Buffer> response = service.api().get("/vt/test/async?ms=10").send().await();

    assertThat(response.statusCode()).isEqualTo(501);
    assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
    assertThat(response.bodyAsJsonObject().getString("detail")).contains("needs Java 21 or later");
    assertThat(service.api().get("/test/async?ms=10").send().await().statusCode()).isEqualTo(200);
  }

  /** A few calls first (class loading, connections, the upstream's pool), then 100 at once. */
  private static Burst.Result warmedBurst(String uri) {
    Burst.get(service.api(), 10, uri).await();
    Burst.Result burst = Burst.get(service.api(), 100, uri).await();
    System.out.printf("%s: 100 concurrent calls in %d ms%n", uri, burst.elapsedMs());
    return burst;
  }

  private static JsonObject getJson(String uri) {
    HttpResponse<Buffer> response = service.api().get(uri).send().await();
    assertThat(response.statusCode()).as(uri).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static long lastReportId() {
    JsonArray reports = service.admin().get("/diagnostics/blocked?limit=1").send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.isEmpty() ? 0 : reports.getJsonObject(0).getLong("id");
  }

  private static List<String> reportsSince(long id) {
    JsonArray reports = service.admin().get("/diagnostics/blocked?limit=500").send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.stream().map(JsonObject.class::cast).filter(report -> report.getLong("id") > id)
      .map(report -> report.getString("pool") + " " + report.getString("route") + " on " + report.getString("thread"))
      .toList();
  }
}
