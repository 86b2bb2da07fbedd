package io.loopscope.http;

import java.util.stream.IntStream;
import io.loopscope.testing.RawHttp;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
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
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Malformed, oversized and hostile input: a clear 4xx problem, never a stack trace, and the service stays healthy. */
@ExtendWith(VertxExtension.class)
class HostileInputTest {

  private static TestService service;
  private WebClient client;
  private WebClient admin;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of("http.maxBodyBytes", 4096, "cpu.maxItems", 10));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @BeforeEach
  void connect(Vertx vertx) {
    client = service.apiClient(vertx);
    admin = service.adminClient(vertx);
  }

  @AfterEach
  void close(VertxTestContext ctx) {
    // whatever came before, the service still serves and is ready
    Future.all(client.get("/test/async?ms=0").send(), admin.get("/health/ready").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertThat(both.<HttpResponse<Buffer>>resultAt(0).statusCode()).isEqualTo(200);
        assertThat(both.<HttpResponse<Buffer>>resultAt(1).statusCode()).isEqualTo(200);
        client.close();
        admin.close();
        ctx.completeNow();
      })));
  }

  static JsonObject assertProblem(HttpResponse<Buffer> response, int status, String type) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    String body = response.bodyAsString();
    assertThat(body).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain("io.loopscope.");
    JsonObject problem = new JsonObject(body);
    assertThat(problem.getString("type")).isEqualTo("urn:loopscope:problem:" + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
    assertThat(problem.getString("title")).isNotBlank();
    assertThat(problem.getString("detail")).isNotBlank();
    return problem;
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "/test/async?ms=abc", "/test/async?ms=-1", "/test/async?ms=1e12", "/test/async?ms=10001",
    "/test/async?ms=99999999999999999999", "/test/async?ms=1&ms=2", "/test/async?ms=%00",
    "/test/async?ms=%27%3B%20DROP%20TABLE%20x", "/test/async?ms=%F0%9F%92%A5",
    "/test/sync?ms=abc", "/test/sync?ms=-5", "/test/sync?ms=20000",
    "/bad-example?ms=abc", "/bad-example?ms=-1", "/good-example?ms=1e3", "/async-example?ms=11000"})
  void a_bad_ms_is_a_400_naming_ms(String uri, VertxTestContext ctx) {
    client.get(uri).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(assertProblem(response, 400, "invalid-parameter").getString("field")).isEqualTo("ms");
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/test/sync?ordered=maybe", "/good-example?fail=yes", "/bad-example?fail=2"})
  void a_bad_flag_is_a_400_naming_it(String uri, VertxTestContext ctx) {
    String field = uri.substring(uri.indexOf('?') + 1, uri.indexOf('='));
    client.get(uri).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(assertProblem(response, 400, "invalid-parameter").getString("field")).isEqualTo(field);
      ctx.completeNow();
    })));
  }

  @Test
  void a_long_query_value_is_a_400_not_a_crash(VertxTestContext ctx) {
    client.get("/test/async?ms=" + "9".repeat(3000)).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertProblem(response, 400, "invalid-parameter");
      ctx.completeNow();
    })));
  }

  /** The answer to an undecodable request: its status line and its problem body. */
  private static void assertRawProblem(String answer, int status, String type) {
    assertThat(answer).startsWith("HTTP/1.").contains(" " + status + " ");
    assertThat(answer).containsIgnoringCase("content-type: application/problem+json");
    JsonObject problem = new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
    assertThat(problem.getString("type")).isEqualTo("urn:loopscope:problem:" + type);
    assertThat(problem.getInteger("status")).isEqualTo(status);
  }

  @Test
  void a_request_line_over_the_limit_is_a_414_problem(Vertx vertx, VertxTestContext ctx) {
    String request = "GET /test/async?pad=" + "x".repeat(10_000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
    RawHttp.exchange(vertx, service.apiPort(), request).onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      assertRawProblem(answer, 414, "uri-too-long");
      ctx.completeNow();
    })));
  }

  @Test
  void headers_over_the_limit_are_a_431_problem(Vertx vertx, VertxTestContext ctx) {
    String request = "GET /test/async HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + "x".repeat(20_000) + "\r\n\r\n";
    RawHttp.exchange(vertx, service.apiPort(), request).onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      assertRawProblem(answer, 431, "headers-too-large");
      ctx.completeNow();
    })));
  }

  @Test
  void garbage_instead_of_http_is_a_400_problem(Vertx vertx, VertxTestContext ctx) {
    RawHttp.exchange(vertx, service.apiPort(), "\u0016\u0003\u0001 not http at all\r\n\r\n").onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
      assertRawProblem(answer, 400, "bad-request");
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/nope", "/test", "/test/async/extra", "/docs/assets/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd"})
  void an_unknown_route_is_a_404_problem(String uri, VertxTestContext ctx) {
    client.get(uri).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.bodyAsString()).doesNotContain("root:");
      ctx.completeNow();
    })));
  }

  @Test
  void the_wrong_method_is_a_405_problem(VertxTestContext ctx) {
    Future.all(client.post("/test/async").send(), client.get("/process").send(), client.delete("/sync-example").send())
      .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
        for (int i = 0; i < 3; i++) {
          assertProblem(all.resultAt(i), 405, "method-not-allowed");
        }
        ctx.completeNow();
      })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "[1,2", "{\"a\":1}", "\"text\"", "42", "[\"1\"]", "[[1]]", "[1,[2]]", "[null]", "[true]",
    "[{\"x\":1}]", "[1] trailing", "[NaN]", "[1e400]", "[1,]", "not json at all", "\u0000\u0001\u0002"})
  void process_rejects_anything_but_an_array_of_numbers(String body, VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer(body)).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = assertProblem(response, 400, "invalid-body");
      assertThat(problem.getString("field")).isNotBlank();
      ctx.completeNow();
    })));
  }

  @Test
  void process_names_the_first_bad_item(VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer("[1, 2, \"three\"]")).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject problem = assertProblem(response, 400, "invalid-body");
      assertThat(problem.getString("field")).isEqualTo("[2]");
      assertThat(problem.getString("detail")).contains("string");
      ctx.completeNow();
    })));
  }

  @Test
  void deeply_nested_arrays_are_rejected_without_recursion(VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer("[".repeat(4000))).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertProblem(response, 400, "invalid-body");
      ctx.completeNow();
    })));
  }

  @Test
  void too_many_items_is_a_413(VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer("[1,2,3,4,5,6,7,8,9,10,11]")).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(assertProblem(response, 413, "payload-too-large").getString("detail")).contains("10");
      ctx.completeNow();
    })));
  }

  @Test
  void a_body_over_the_limit_is_a_413(VertxTestContext ctx) {
    Buffer big = Buffer.buffer("[" + "1,".repeat(3000) + "1]");
    client.post("/process").sendBuffer(big).onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(assertProblem(response, 413, "payload-too-large").getString("detail"))
        .isEqualTo("The request body is larger than the configured limit (http.maxBodyBytes)");
      ctx.completeNow();
    })));
  }

  @Test
  void many_bad_requests_at_once_leave_good_ones_unharmed(VertxTestContext ctx) {
    List<Future<HttpResponse<Buffer>>> bad = IntStream.range(0, 200)
      .mapToObj(i -> client.post("/process").sendBuffer(Buffer.buffer("[" + i + ", \"x\"]")))
      .toList();
    Future<HttpResponse<Buffer>> good = client.post("/process").sendBuffer(Buffer.buffer("[2,-1]"));
    Future.all(Future.all(bad), good).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      assertThat(bad).allSatisfy(response -> assertThat(response.result().statusCode()).isEqualTo(400));
      assertThat(good.result().bodyAsJsonObject().getJsonArray("processed").encode()).isEqualTo("[-1,2]");
      ctx.completeNow();
    })));
  }

  @Test
  void the_admin_port_answers_problems_too(VertxTestContext ctx) {
    admin.get("/nope").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertProblem(response, 404, "not-found");
      ctx.completeNow();
    })));
  }
}
