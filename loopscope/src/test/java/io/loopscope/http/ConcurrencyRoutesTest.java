package io.loopscope.http;

import io.loopscope.loopwatch.LoopWatch;
import java.util.List;
import java.util.stream.IntStream;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * gather, return_exceptions, first-wins, sequential awaits, TaskGroup and create_task over real HTTP,
 * with the upstream simulator's own counters showing the cancellations from the other side.
 */
@ExtendWith(VertxExtension.class)
class ConcurrencyRoutesTest {

  private static TestService service;
  private WebClient client;
  private WebClient upstream;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of());
    service.service().main().loopWatch().reset(); // what start-up cost is not what these tests are about
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  private Vertx vertx;

  @BeforeEach
  void connect(Vertx vertx, VertxTestContext ctx) {
    this.vertx = vertx;
    client = service.apiClient(vertx);
    upstream = TestService.client(vertx, URI.create(service.service().upstreamBaseUrl()).getPort());
    // every test starts from a quiet simulator with zeroed counters
    quietUpstreamStats().compose(quiet -> upstream.post("/stats/reset").send()).onComplete(ctx.succeedingThenComplete());
  }

  /** Fan-outs, cancellations and deadlines are all futures and timers: LoopWatch saw no loop blocked. */
  @AfterEach
  void close() {
    client.close();
    upstream.close();
    assertThat(service.service().main().loopWatch().reports(10, null)).as("blocked-thread reports").isEmpty();
  }

  /** The simulator's counters once no call is in flight there (polled, for at most 5 s). */
  private Future<JsonObject> quietUpstreamStats() {
    return quietUpstreamStats(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
  }

  private Future<JsonObject> quietUpstreamStats(long deadlineNanos) {
    return upstream.get("/stats").send().map(HttpResponse::bodyAsJsonObject).compose(stats -> {
      if (stats.getLong("inFlight") == 0) {
        return Future.succeededFuture(stats);
      }
      if (System.nanoTime() > deadlineNanos) {
        return Future.failedFuture("the simulator still has calls in flight: " + stats);
      }
      return vertx.timer(20).compose(again -> quietUpstreamStats(deadlineNanos));
    });
  }

  private static JsonObject ok(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    return response.bodyAsJsonObject();
  }

  private static JsonObject problem(HttpResponse<Buffer> response, int status) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    return response.bodyAsJsonObject();
  }

  @Test
  void gather_all_returns_every_result_in_order_in_about_one_call_time(VertxTestContext ctx) {
    client.get("/gather?mode=all&n=10&ms=100").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = ok(response);
      assertThat(body.getString("mode")).isEqualTo("all");
      JsonArray calls = body.getJsonArray("calls");
      assertThat(calls).hasSize(10);
      for (int i = 0; i < 10; i++) {
        JsonObject call = calls.getJsonObject(i);
        assertThat(call.getInteger("index")).isEqualTo(i);
        assertThat(call.getBoolean("ok")).isTrue();
        assertThat(call.getJsonObject("value").getInteger("id")).isEqualTo(i + 1);
        assertThat(call.getLong("ms")).isGreaterThanOrEqualTo(100);
      }
      assertThat(body.getLong("elapsedMs")).as("10 x 100 ms, concurrently").isLessThan(500);
      ctx.completeNow();
    })));
  }

  @Test
  void gather_all_fails_at_the_first_failure_not_at_the_slowest_call(VertxTestContext ctx) {
    long start = System.nanoTime();
    client.get("/gather?mode=all&n=3&ms=1000&fail=1&failMs=50").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = problem(response, 502);
      assertThat(problem.getString("type")).isEqualTo("urn:loopscope:problem:call-failed");
      assertThat(problem.getInteger("failedIndex")).isEqualTo(1);
      assertThat(problem.getString("detail")).contains("Call 1").contains("500");
      assertThat(problem.getJsonArray("unfinished").getList()).containsExactly(0, 2);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
      ctx.completeNow();
    })));
  }

  @Test
  void gather_join_keeps_successes_and_failures_in_order(VertxTestContext ctx) {
    client.get("/gather?mode=join&n=5&ms=100&fail=1,3&failMs=50").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = ok(response);
      JsonArray calls = body.getJsonArray("calls");
      assertThat(calls).hasSize(5);
      for (int i = 0; i < 5; i++) {
        JsonObject call = calls.getJsonObject(i);
        assertThat(call.getInteger("index")).isEqualTo(i);
        boolean failed = i == 1 || i == 3;
        assertThat(call.getBoolean("ok")).isEqualTo(!failed);
        if (failed) {
          assertThat(call.getString("error")).contains("500");
          assertThat(call.containsKey("value")).isFalse();
          assertThat(call.getLong("ms")).isLessThan(100);
        } else {
          assertThat(call.getJsonObject("value").getInteger("id")).isEqualTo(i + 1);
        }
      }
      assertThat(body.getLong("elapsedMs")).isLessThan(500);
      ctx.completeNow();
    })));
  }

  @Test
  void gather_any_returns_the_first_success_and_cancels_the_slower_calls(VertxTestContext ctx) {
    client.get("/gather?mode=any&n=3&ms=100&fail=0&failMs=10").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = ok(response);
      JsonObject winner = body.getJsonObject("winner");
      assertThat(winner.getBoolean("ok")).isTrue();
      assertThat(winner.getInteger("index")).isIn(1, 2);
      quietUpstreamStats().onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
        assertThat(stats.getLong("started")).isEqualTo(3);
        assertThat(stats.getLong("failed")).isEqualTo(1);
        assertThat(stats.getLong("completed") + stats.getLong("cancelled")).isEqualTo(2);
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void gather_any_is_a_502_only_when_every_call_fails(VertxTestContext ctx) {
    client.get("/gather?mode=any&n=3&fail=0,1,2&failMs=10").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = problem(response, 502);
      assertThat(problem.getString("type")).isEqualTo("urn:loopscope:problem:all-calls-failed");
      assertThat(problem.getJsonArray("calls")).hasSize(3);
      ctx.completeNow();
    })));
  }

  @Test
  void sequential_takes_the_sum_of_the_calls(VertxTestContext ctx) {
    client.get("/sequential?n=5&ms=100").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = ok(response);
      assertThat(body.getJsonArray("calls")).hasSize(5);
      assertThat(body.getLong("elapsedMs")).as("5 x 100 ms, one after another").isGreaterThan(450);
      ctx.completeNow();
    })));
  }

  @Test
  void a_task_group_failure_cancels_the_siblings_which_the_upstream_sees(VertxTestContext ctx) {
    long start = System.nanoTime();
    client.get("/taskgroup?n=3&ms=1000&fail=2&failMs=50").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = problem(response, 502);
      assertThat(problem.getInteger("failedIndex")).isEqualTo(2);
      assertThat(problem.getJsonArray("cancelled").getList()).containsExactly(0, 1);
      JsonArray calls = problem.getJsonArray("calls");
      assertThat(calls.getJsonObject(0).getBoolean("cancelled")).isTrue();
      assertThat(calls.getJsonObject(1).getBoolean("cancelled")).isTrue();
      assertThat((System.nanoTime() - start) / 1_000_000).as("the group did not wait for the 1 s calls").isLessThan(800);
      quietUpstreamStats().onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
        assertThat(stats.getLong("started")).isEqualTo(3);
        assertThat(stats.getLong("failed")).isEqualTo(1);
        assertThat(stats.getLong("cancelled")).as("n - 1 cancellations seen by the upstream").isEqualTo(2);
        assertThat(stats.getLong("completed")).as("the cancelled calls never completed").isZero();
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void a_task_group_without_failure_returns_every_result(VertxTestContext ctx) {
    client.get("/taskgroup?n=3&ms=50").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = ok(response);
      assertThat(body.getJsonArray("calls")).hasSize(3);
      assertThat(body.getJsonArray("calls").stream().map(JsonObject.class::cast)).allMatch(call -> call.getBoolean("ok"));
      ctx.completeNow();
    })));
  }

  @Test
  void a_deadline_cancels_the_unfinished_calls_with_a_504_naming_them(VertxTestContext ctx) {
    long start = System.nanoTime();
    client.get("/gather?n=3&ms=1000&deadlineMs=100").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = problem(response, 504);
      assertThat(problem.getString("type")).isEqualTo("urn:loopscope:problem:deadline-exceeded");
      assertThat(problem.getJsonArray("unfinished").getList()).containsExactly(0, 1, 2);
      assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
      quietUpstreamStats().onComplete(ctx.succeeding(stats -> ctx.verify(() -> {
        assertThat(stats.getLong("cancelled")).as("the upstream saw all three go").isEqualTo(3);
        assertThat(stats.getLong("completed")).isZero();
        ctx.completeNow();
      })));
    })));
  }

  @Test
  void background_overlaps_the_two_tasks_like_create_task(VertxTestContext ctx) {
    client.get("/background?ms=500").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = ok(response);
      JsonArray timeline = body.getJsonArray("timeline");
      assertThat(timeline).hasSize(3);
      JsonObject task1 = timeline.getJsonObject(0);
      JsonObject other = timeline.getJsonObject(1);
      JsonObject task2 = timeline.getJsonObject(2);
      assertThat(task2.getLong("startMs")).as("task 2 starts after the other work").isGreaterThanOrEqualTo(other.getLong("endMs"));
      assertThat(task1.getLong("endMs")).as("task 1 ran meanwhile").isGreaterThan(task2.getLong("startMs"));
      assertThat(body.getLong("elapsedMs")).as("about 1.5 x 500 ms, not 2.5 x").isBetween(700L, 1_100L);
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @CsvSource({
    "/gather?n=0, n", "/gather?n=101, n", "/gather?n=abc, n", "/gather?mode=race, mode", "/gather?n=3&fail=3, fail",
    "/gather?n=3&fail=-1, fail", "/gather?n=3&fail=1%3BDROP, fail", "/gather?n=3&fail=1&fail=2, fail", "'/gather?n=3&fail=1,1', fail",
    "/gather?ms=-1, ms", "/gather?ms=99999999, ms", "/gather?failMs=1e3, failMs", "/gather?deadlineMs=0, deadlineMs",
    "/sequential?n=1000, n", "/sequential?ms=abc, ms", "/taskgroup?n=2&fail=2, fail", "/taskgroup?ms=-5, ms",
    "/background?ms=-1, ms", "/background?ms=10001, ms"})
  void bad_input_is_a_400_naming_the_parameter(String uri, String field, VertxTestContext ctx) {
    client.get(uri).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = problem(response, 400);
      assertThat(problem.getString("field")).isEqualTo(field);
      assertThat(response.bodyAsString()).doesNotContain("Exception");
      ctx.completeNow();
    })));
  }

  @Test
  void the_simulator_stats_can_be_read_and_reset(VertxTestContext ctx) {
    client.get("/gather?n=2&ms=0").send()
      .compose(done -> upstream.get("/stats").send())
      .compose(before -> upstream.post("/stats/reset").send().map(reset -> Map.of("before", before, "after", reset)))
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertThat(both.get("before").bodyAsJsonObject().getLong("started")).isEqualTo(2);
        assertThat(both.get("before").bodyAsJsonObject().getLong("completed")).isEqualTo(2);
        assertThat(both.get("after").bodyAsJsonObject().getLong("started")).isZero();
        ctx.completeNow();
      })));
  }

  @Test
  void a_hundred_concurrent_fan_outs_stay_correct(VertxTestContext ctx) {
    List<Future<HttpResponse<Buffer>>> calls = IntStream.range(0, 100)
      .mapToObj(i -> client.get("/gather?mode=join&n=5&ms=20&fail=" + (i % 5)).send()).toList();
    Future.all(calls).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < 100; i++) {
        JsonArray outcomes = ok(calls.get(i).result()).getJsonArray("calls");
        for (int j = 0; j < 5; j++) {
          assertThat(outcomes.getJsonObject(j).getBoolean("ok")).isEqualTo(j != i % 5);
        }
      }
      ctx.completeNow();
    })));
  }
}
