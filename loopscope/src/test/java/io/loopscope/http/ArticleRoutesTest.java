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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The article's endpoints answer what the article's FastAPI app answers, the Vert.x way. */
@ExtendWith(VertxExtension.class)
class ArticleRoutesTest {

  private WebClient client;

  @BeforeEach
  void connect(Vertx vertx) {
    client = TestService.shared().apiClient(vertx);
  }

  @AfterEach
  void close() {
    client.close();
  }

  private static JsonObject okJson(HttpResponse<Buffer> response) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(200);
    assertThat(response.getHeader("content-type")).startsWith("application/json");
    return response.bodyAsJsonObject();
  }

  @Test
  void test_async_waits_on_a_timer_for_ms(VertxTestContext ctx) {
    client.get("/test/async?ms=50").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = okJson(response);
      assertThat(body.getString("data")).isEqualTo("ok");
      assertThat(body.getLong("waitedMs")).isBetween(50L, 1_000L);
      ctx.completeNow();
    })));
  }

  @Test
  void test_async_defaults_to_100_ms(VertxTestContext ctx) {
    client.get("/test/async").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(okJson(response).getLong("waitedMs")).isGreaterThanOrEqualTo(100L);
      ctx.completeNow();
    })));
  }

  @Test
  void test_async_with_zero_ms_answers_at_once(VertxTestContext ctx) {
    client.get("/test/async?ms=0").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(okJson(response).getLong("waitedMs")).isLessThan(50L);
      ctx.completeNow();
    })));
  }

  @Test
  void test_sync_sleeps_on_a_worker_thread_not_an_event_loop(VertxTestContext ctx) {
    client.get("/test/sync?ms=30").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject body = okJson(response);
      assertThat(body.getString("data")).isEqualTo("ok");
      assertThat(body.getLong("waitedMs")).isGreaterThanOrEqualTo(30L);
      assertThat(body.getString("thread")).startsWith("vert.x-worker-thread-");
      assertThat(body.getBoolean("ordered")).isFalse();
      ctx.completeNow();
    })));
  }

  @Test
  void test_sync_ordered_is_flagged(VertxTestContext ctx) {
    client.get("/test/sync?ms=1&ordered=true").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(okJson(response).getBoolean("ordered")).isTrue();
      ctx.completeNow();
    })));
  }

  @Test
  void the_good_example_and_the_async_example_call_the_upstream_with_webclient(VertxTestContext ctx) {
    Future.all(client.get("/good-example?ms=10").send(), client.get("/async-example?ms=10").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        for (int i = 0; i < 2; i++) {
          JsonObject post = okJson(both.resultAt(i));
          assertThat(post.getInteger("id")).isEqualTo(1);
          assertThat(post.getString("title")).isNotBlank();
          assertThat(post.fieldNames()).containsExactlyInAnyOrder("userId", "id", "title", "body");
        }
        ctx.completeNow();
      })));
  }

  @Test
  void the_bad_example_returns_the_same_post(VertxTestContext ctx) {
    client.get("/bad-example?ms=10").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject post = okJson(response);
      assertThat(post.getInteger("id")).isEqualTo(1);
      assertThat(post.fieldNames()).containsExactlyInAnyOrder("userId", "id", "title", "body");
      ctx.completeNow();
    })));
  }

  @Test
  void an_upstream_500_is_a_502_problem(VertxTestContext ctx) {
    Future.all(client.get("/good-example?ms=0&fail=true").send(), client.get("/bad-example?ms=0&fail=true").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        for (int i = 0; i < 2; i++) {
          HttpResponse<Buffer> response = both.resultAt(i);
          assertThat(response.statusCode()).isEqualTo(502);
          assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
          assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:loopscope:problem:upstream-failed");
        }
        ctx.completeNow();
      })));
  }

  @Test
  void sync_example_lists_0_to_999(VertxTestContext ctx) {
    client.get("/sync-example").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonArray numbers = okJson(response).getJsonArray("numbers");
      assertThat(numbers.getList()).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
      ctx.completeNow();
    })));
  }

  @Test
  void process_sorts_by_x_squared_stably_on_the_cpu_pool(VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer("[3, -1, 2.5, -2, 2, 0, -0.5, 10]"))
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        JsonObject body = okJson(response);
        assertThat(body.getInteger("count")).isEqualTo(8);
        assertThat(body.getJsonArray("processed").encode()).isEqualTo("[0,-0.5,-1,-2,2,2.5,3,10]");
        assertThat(response.getHeader(ArticleRoutes.WORKER_POOL_HEADER)).isEqualTo("cpu");
        assertThat(response.getHeader(ArticleRoutes.WORKER_THREAD_HEADER)).matches("cpu-\\d+");
        ctx.completeNow();
      })));
  }

  @Test
  void process_accepts_an_empty_array(VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer("[]")).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(okJson(response).getJsonArray("processed")).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void the_contract_and_the_docs_are_served(VertxTestContext ctx) {
    Future.all(client.get("/openapi.yaml").send(), client.get("/docs").send(), client.get("/docs/assets/swagger-ui-bundle.js").send())
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        HttpResponse<Buffer> contract = all.resultAt(0);
        assertThat(contract.statusCode()).isEqualTo(200);
        assertThat(contract.bodyAsString()).startsWith("openapi: 3.1");
        HttpResponse<Buffer> docs = all.resultAt(1);
        assertThat(docs.statusCode()).isEqualTo(200);
        assertThat(docs.bodyAsString()).contains("swagger-ui-bundle.js").contains("/openapi.yaml").doesNotContain("cdn");
        HttpResponse<Buffer> bundle = all.resultAt(2);
        assertThat(bundle.statusCode()).isEqualTo(200);
        assertThat(bundle.body().length()).isGreaterThan(100_000);
        ctx.completeNow();
      })));
  }
}
