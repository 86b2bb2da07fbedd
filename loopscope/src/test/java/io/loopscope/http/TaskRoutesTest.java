package io.loopscope.http;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class TaskRoutesTest {

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
  void a_sort_task_is_accepted_with_its_location_and_done_with_the_numbers_sorted_by_their_square(Vertx vertx, VertxTestContext ctx) {
    client.post("/tasks").sendJsonObject(new JsonObject().put("kind", "sort").put("data", new JsonArray(List.of(3, -1, 2, -5, 0.5))))
      .compose(accepted -> {
        ctx.verify(() -> {
          assertThat(accepted.statusCode()).isEqualTo(202);
          JsonObject task = accepted.bodyAsJsonObject();
          assertThat(accepted.getHeader("location")).isEqualTo("/tasks/" + task.getLong("id"));
          assertThat(task.getString("state")).isEqualTo("queued");
        });
        return finished(vertx, accepted.getHeader("location"));
      })
      .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
        assertThat(done.getString("state")).isEqualTo("done");
        assertThat(done.getJsonObject("result").getJsonArray("processed")).isEqualTo(new JsonArray(List.of(0.5, -1, 2, 3, -5)));
        assertThat(done.getJsonObject("input").getJsonArray("data")).hasSize(5);
        assertThat(done.getLong("runMs")).isNotNull();
        ctx.completeNow();
      })));
  }

  /** The article's gather, as a background task: n upstream calls of 300 ms at once take about 300 ms, not n x 300. */
  @Test
  void a_fetch_task_gathers_n_posts_from_the_upstream_concurrently(Vertx vertx, VertxTestContext ctx) {
    client.post("/tasks").sendJsonObject(new JsonObject().put("kind", "fetch").put("n", 5).put("ms", 300))
      .compose(accepted -> {
        ctx.verify(() -> assertThat(accepted.statusCode()).isEqualTo(202));
        return finished(vertx, accepted.getHeader("location"));
      })
      .onComplete(ctx.succeeding(done -> ctx.verify(() -> {
        assertThat(done.getString("state")).isEqualTo("done");
        JsonObject result = done.getJsonObject("result");
        assertThat(result.getInteger("count")).isEqualTo(5);
        assertThat(result.getJsonArray("posts").stream().map(p -> ((JsonObject) p).getInteger("id")))
          .containsExactly(1, 2, 3, 4, 5);
        assertThat(done.getLong("runMs")).isGreaterThanOrEqualTo(300).isLessThan(1_200);
        ctx.completeNow();
      })));
  }

  @Test
  void a_fetch_task_whose_upstream_fails_is_failed_with_the_problem(Vertx vertx, VertxTestContext ctx) {
    client.post("/tasks").sendJsonObject(new JsonObject().put("kind", "fetch").put("n", 2).put("ms", 0).put("fail", true))
      .compose(accepted -> finished(vertx, accepted.getHeader("location")))
      .onComplete(ctx.succeeding(failed -> ctx.verify(() -> {
        assertThat(failed.getString("state")).isEqualTo("failed");
        assertThat(failed.getJsonObject("error").getInteger("status")).isEqualTo(502);
        assertThat(failed.getValue("result")).isNull();
        ctx.completeNow();
      })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "not json", "[1,2,3]", "{}", "{\"kind\":\"nope\"}", "{\"kind\":42}", "{\"kind\":\"sort\"}",
    "{\"kind\":\"sort\",\"data\":\"1,2\"}", "{\"kind\":\"sort\",\"data\":[1,\"x\"]}", "{\"kind\":\"sort\",\"data\":[1,null]}",
    "{\"kind\":\"sort\",\"data\":[[1]]}", "{\"kind\":\"sort\",\"data\":[1e999]}", "{\"kind\":\"sort\",\"data\":[1],\"extra\":1}",
    "{\"kind\":\"fetch\"}", "{\"kind\":\"fetch\",\"n\":0}", "{\"kind\":\"fetch\",\"n\":101}", "{\"kind\":\"fetch\",\"n\":1.5}",
    "{\"kind\":\"fetch\",\"n\":\"3\"}", "{\"kind\":\"fetch\",\"n\":99999999999999999999}", "{\"kind\":\"fetch\",\"n\":1,\"ms\":-1}",
    "{\"kind\":\"fetch\",\"n\":1,\"ms\":10001}", "{\"kind\":\"fetch\",\"n\":1,\"fail\":\"yes\"}",
    "{\"kind\":\"sort'; DROP TABLE tasks;--\",\"data\":[1]}"})
  void a_malformed_body_is_400(String body, VertxTestContext ctx) {
    client.post("/tasks").putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(body))
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
        assertThat(response.bodyAsJsonObject().getString("field")).isNotBlank();
        assertThat(response.bodyAsString()).doesNotContain("Exception");
        ctx.completeNow();
      })));
  }

  @Test
  void a_body_over_the_limit_is_413_naming_the_tasks_limit(VertxTestContext ctx) {
    int maxBodyBytes = 1_048_576;
    StringBuilder numbers = new StringBuilder("{\"kind\":\"sort\",\"data\":[0");
    while (numbers.length() <= maxBodyBytes) {
      numbers.append(",123456789");
    }
    client.post("/tasks").sendBuffer(Buffer.buffer(numbers.append("]}").toString()))
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(413);
        assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
        assertThat(response.bodyAsJsonObject().getString("detail"))
          .isEqualTo("The request body is larger than the configured limit (tasks.maxBodyBytes)");
        ctx.completeNow();
      })));
  }

  /** Stripe's semantics: same key and task -> the same task, marked as a replay; same key, other task -> 422. */
  @Test
  void a_retry_with_the_same_idempotency_key_gets_the_same_task_and_another_task_under_that_key_is_422(VertxTestContext ctx) {
    String key = "retry-" + System.nanoTime();
    JsonObject task = new JsonObject().put("kind", "sort").put("data", new JsonArray(List.of(2, 1)));
    // the same task written differently (spacing, field order) is the same request
    String sameTaskOtherText = "{ \"data\": [2, 1], \"kind\": \"sort\" }";
    client.post("/tasks").putHeader("Idempotency-Key", key).sendJsonObject(task)
      .compose(first -> client.post("/tasks").putHeader("Idempotency-Key", "\"" + key + "\"")
        .putHeader("content-type", "application/json").sendBuffer(Buffer.buffer(sameTaskOtherText))
        .compose(retry -> client.post("/tasks").putHeader("Idempotency-Key", key)
          .sendJsonObject(task.copy().put("data", new JsonArray(List.of(3))))
          .map(other -> List.of(first, retry, other))))
      .onComplete(ctx.succeeding(answers -> ctx.verify(() -> {
        HttpResponse<Buffer> first = answers.get(0);
        HttpResponse<Buffer> retry = answers.get(1);
        HttpResponse<Buffer> other = answers.get(2);
        assertThat(first.statusCode()).isEqualTo(202);
        assertThat(first.getHeader("Idempotent-Replayed")).isNull();
        assertThat(retry.statusCode()).isEqualTo(202);
        assertThat(retry.getHeader("Idempotent-Replayed")).isEqualTo("true");
        assertThat(retry.bodyAsJsonObject().getLong("id")).isEqualTo(first.bodyAsJsonObject().getLong("id"));
        assertThat(retry.getHeader("location")).isEqualTo(first.getHeader("location"));
        assertThat(other.statusCode()).isEqualTo(422);
        assertThat(other.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
        assertThat(other.bodyAsJsonObject().getString("type")).isEqualTo("urn:loopscope:problem:idempotency-key-reused");
        ctx.completeNow();
      })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "\"\"", "a-key-longer-than-255-characters"})
  void a_malformed_idempotency_key_is_400(String key, VertxTestContext ctx) {
    String sent = key.startsWith("a-key-longer") ? key + "x".repeat(256) : key;
    client.post("/tasks").putHeader("Idempotency-Key", sent).sendJsonObject(new JsonObject().put("kind", "sort").put("data", new JsonArray()))
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("Idempotency-Key");
        ctx.completeNow();
      })));
  }

  @Test
  void an_unknown_task_is_404(VertxTestContext ctx) {
    client.get("/tasks/" + Long.MAX_VALUE).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1%3BDROP%20TABLE%20tasks", "-1", "0", "99999999999999999999", "abc"})
  void a_hostile_task_id_is_400_and_the_tables_stay_intact(String id, Vertx vertx, VertxTestContext ctx) {
    client.get("/tasks/" + id).send()
      .compose(response -> {
        ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(400);
          assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("id");
        });
        return UserRoutesTest.seedIntact(vertx, service).compose(v -> client.get("/tasks?limit=1").send());
      })
      .onComplete(ctx.succeeding(tasksTable -> ctx.verify(() -> {
        assertThat(tasksTable.statusCode()).isEqualTo(200);
        ctx.completeNow();
      })));
  }

  @Test
  void the_list_is_paged_newest_first_and_filtered_by_state(VertxTestContext ctx) {
    Future<Void> three = Future.succeededFuture();
    for (int i = 0; i < 3; i++) {
      three = three.compose(v -> client.post("/tasks").sendJsonObject(new JsonObject().put("kind", "sort").put("data", List.of(1)))).mapEmpty();
    }
    three
      .compose(v -> client.get("/tasks?limit=2").send())
      .compose(first -> {
        JsonObject page = first.bodyAsJsonObject();
        ctx.verify(() -> {
          assertThat(page.getJsonArray("tasks")).hasSize(2);
          assertThat(ids(page).get(0)).isGreaterThan(ids(page).get(1));
          assertThat(page.getString("next")).isEqualTo("/tasks?limit=2&before=" + ids(page).get(1));
        });
        return client.get(page.getString("next")).send().map(second -> {
          ctx.verify(() -> assertThat(ids(second.bodyAsJsonObject()).get(0)).isLessThan(ids(page).get(1)));
          return second;
        });
      })
      .compose(v -> client.get("/tasks?state=failed&limit=100").send())
      .onComplete(ctx.succeeding(failedOnly -> ctx.verify(() -> {
        assertThat(failedOnly.bodyAsJsonObject().getJsonArray("tasks").stream()
          .map(t -> ((JsonObject) t).getString("state"))).allMatch("failed"::equals);
        ctx.completeNow();
      })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"state=lost", "state=done%27%20OR%201%3D1", "limit=0", "limit=101", "limit=x", "before=-1",
    "before=99999999999999999999"})
  void bad_list_parameters_are_400(String query, VertxTestContext ctx) {
    client.get("/tasks?" + query).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo(query.substring(0, query.indexOf('=')));
      ctx.completeNow();
    })));
  }

  private static List<Long> ids(JsonObject page) {
    return page.getJsonArray("tasks").stream().map(t -> ((JsonObject) t).getLong("id")).toList();
  }

  /** Reads the task every 50 ms until it is done or failed; the test context's timeout bounds the wait. */
  private Future<JsonObject> finished(Vertx vertx, String location) {
    return client.get(location).send().map(HttpResponse::bodyAsJsonObject)
      .compose(task -> List.of("done", "failed").contains(task.getString("state"))
        ? Future.succeededFuture(task)
        : vertx.timer(50).compose(fired -> finished(vertx, location)));
  }
}
