package io.loopscope.http;

import io.loopscope.blocking.LegacyUserVerticle;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class LegacyRoutesTest {

  private static TestService service;
  private WebClient client;

  @BeforeAll
  static void startService() {
    service = TestService.shared();
  }

  @BeforeEach
  void connect(Vertx vertx) {
    client = service.apiClient(vertx);
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void answers_the_same_user_as_the_reactive_overview(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> legacy = client.get("/legacy/users/4242").send();
    Future<HttpResponse<Buffer>> overview = client.get("/users/4242/overview").send();
    Future.all(legacy, overview).onComplete(ctx.succeeding(both -> ctx.verify(() -> {
      assertThat(legacy.result().statusCode()).isEqualTo(200);
      JsonObject body = legacy.result().bodyAsJsonObject();
      assertThat(body.getJsonObject("user")).isEqualTo(overview.result().bodyAsJsonObject().getJsonObject("user"));
      assertThat(body.getString("thread")).startsWith(LegacyUserVerticle.WORKER_POOL + "-");
      assertThat(body.getString("node")).as("off the cluster: this process").endsWith("-" + ProcessHandle.current().pid());
      ctx.completeNow();
    })));
  }

  /**
   * Four worker instances, one JDBC connection each, serve four blocking queries at once: eight
   * 100 ms queries take two rounds (at least 200 ms, well under 400 ms), on four different threads,
   * and an event-loop endpoint answers at once meanwhile. The machine is shared, so the upper bounds
   * are claimed for the best of three batches; the lower bound and the four threads hold for every batch.
   */
  @Test
  void four_instances_serve_eight_blocking_queries_in_two_rounds_while_the_event_loops_stay_free(VertxTestContext ctx) {
    List<Batch> batches = new ArrayList<>();
    Future<Void> runs = warmUp();
    for (int i = 0; i < 3; i++) {
      runs = runs.compose(v -> eightBlockingQueries()).map(batches::add).mapEmpty();
    }
    runs.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(batches).allSatisfy(batch -> {
        assertThat(batch.allMs()).isGreaterThanOrEqualTo(190);
        assertThat(batch.threads()).hasSize(4);
      });
      assertThat(batches.stream().mapToLong(Batch::allMs).min().orElseThrow()).isLessThan(400);
      assertThat(batches.stream().mapToLong(Batch::loopMs).min().orElseThrow()).isLessThan(100);
      ctx.completeNow();
    })));
  }

  private record Batch(long allMs, Set<String> threads, long loopMs) {
  }

  /** Eight legacy requests of 100 ms at once, and /test/async?ms=0 sent with them. */
  private Future<Batch> eightBlockingQueries() {
    long start = System.nanoTime();
    List<Future<JsonObject>> queries = IntStream.rangeClosed(1, 8)
      .mapToObj(i -> client.get("/legacy/users/" + i + "?sleepMs=100").send().map(this::okBody)).toList();
    Future<Long> loopAnswer = timedGet("/test/async?ms=0");
    return Future.all(queries).map(all -> (System.nanoTime() - start) / 1_000_000)
      .compose(allMs -> loopAnswer.map(loopMs -> new Batch(allMs,
        queries.stream().map(q -> q.result().getString("thread")).collect(Collectors.toSet()), loopMs)));
  }

  @Test
  void an_unknown_user_is_404(VertxTestContext ctx) {
    client.get("/legacy/users/10001").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1%3BDROP%20TABLE%20users", "-1", "99999999999999999999", "1e3", "%27%20OR%201%3D1--"})
  void a_hostile_id_is_400_and_the_tables_stay_intact(String id, Vertx vertx, VertxTestContext ctx) {
    client.get("/legacy/users/" + id).send()
      .compose(response -> {
        ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(400);
          assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("id");
        });
        return UserRoutesTest.seedIntact(vertx, service);
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest
  @ValueSource(strings = {"sleepMs=-1", "sleepMs=10001", "sleepMs=99999999999999999999", "sleepMs=abc", "sleepMs=1&sleepMs=2"})
  void a_bad_sleep_is_400(String query, VertxTestContext ctx) {
    client.get("/legacy/users/1?" + query).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("sleepMs");
      ctx.completeNow();
    })));
  }

  /** Eight requests at once: each instance (event-bus round robin) opens its JDBC connection, the client its HTTP connections. */
  private Future<Void> warmUp() {
    return Future.all(IntStream.range(0, 8).mapToObj(i -> client.get("/legacy/users/1").send().map(this::okBody)).toList())
      .mapEmpty();
  }

  private JsonObject okBody(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("answered " + response.statusCode() + ": " + response.bodyAsString());
    }
    return response.bodyAsJsonObject();
  }

  private Future<Long> timedGet(String uri) {
    long start = System.nanoTime();
    return client.get(uri).send().map(this::okBody).map(body -> (System.nanoTime() - start) / 1_000_000);
  }
}
