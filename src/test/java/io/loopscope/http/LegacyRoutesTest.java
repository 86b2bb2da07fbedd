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
      ctx.completeNow();
    })));
  }

  /**
   * Four worker instances, one JDBC connection each, serve four blocking queries at once: eight
   * 100 ms queries take two rounds (at least 200 ms, well under 400 ms), on four different threads,
   * and an event-loop endpoint answers at once meanwhile.
   */
  @Test
  void four_instances_serve_eight_blocking_queries_in_two_rounds_while_the_event_loops_stay_free(VertxTestContext ctx) {
    warmUpEveryInstance()
      .compose(v -> {
        long start = System.nanoTime();
        List<Future<JsonObject>> queries = IntStream.rangeClosed(1, 8)
          .mapToObj(i -> client.get("/legacy/users/" + i + "?sleepMs=100").send().map(this::okBody)).toList();
        Future<Long> loopAnswer = timedGet("/test/async?ms=0");
        return Future.all(Future.all(queries), loopAnswer).map(all -> {
          long allMs = (System.nanoTime() - start) / 1_000_000;
          Set<String> threads = queries.stream().map(q -> q.result().getString("thread")).collect(Collectors.toSet());
          ctx.verify(() -> {
            assertThat(allMs).isGreaterThanOrEqualTo(190).isLessThan(400);
            assertThat(threads).hasSize(4);
            assertThat(loopAnswer.result()).isLessThan(100);
          });
          return allMs;
        });
      })
      .onComplete(ctx.succeedingThenComplete());
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

  /** Event-bus round robin: four requests reach each instance once, so each has its connection open. */
  private Future<Void> warmUpEveryInstance() {
    return Future.all(IntStream.range(0, 4).mapToObj(i -> client.get("/legacy/users/1").send().map(this::okBody)).toList())
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
