package io.loopscope.http;

import io.loopscope.testing.RawHttp;
import io.loopscope.testing.TestService;
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

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.loopscope.http.HostileInputTest.assertProblem;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The body budget and the header and body timeouts, on a service with a tiny budget and short timeouts. */
@ExtendWith(VertxExtension.class)
class RequestLimitsTest {

  private static final int BUDGET = 2_000;
  private static TestService service;
  private WebClient client;
  private WebClient admin;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of("http.bodyBudgetBytes", BUDGET, "http.maxBodyBytes", 4_096,
      "http.headerTimeoutMs", 500, "http.bodyTimeoutMs", 500, "admin.headerTimeoutMs", 500));
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
  void close() {
    client.close();
    admin.close();
  }

  private static String numbers(int bytes) {
    StringBuilder out = new StringBuilder("[1");
    while (out.length() < bytes - 3) {
      out.append(",1");
    }
    return out.append(']').toString();
  }

  @Test
  void a_body_within_the_budget_is_served_and_its_bytes_return_to_the_budget(Vertx vertx, VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer(numbers(1_500)))
      .compose(served -> {
        ctx.verify(() -> assertThat(served.statusCode()).isEqualTo(200));
        return admin.get("/diagnostics/overload").send();
      })
      .onComplete(ctx.succeeding(overload -> ctx.verify(() -> {
        JsonObject now = overload.bodyAsJsonObject();
        assertThat(now.getLong("bodyBudgetBytes")).isEqualTo(BUDGET);
        assertThat(now.getLong("bodyBytesInUse")).isZero();
        ctx.completeNow();
      })));
  }

  @Test
  void a_content_length_over_the_budget_gets_503_with_retry_after_before_the_body_is_read(VertxTestContext ctx) {
    client.post("/process").sendBuffer(Buffer.buffer(numbers(3_000)))
      .onComplete(ctx.succeeding(refused -> ctx.verify(() -> {
        assertProblem(refused, 503, "saturated");
        assertThat(refused.getHeader("retry-after")).isEqualTo("1");
        assertThat(refused.getHeader("connection")).isEqualTo("close");
        ctx.completeNow();
      })));
  }

  @Test
  void a_chunked_body_is_refused_with_503_once_it_outgrows_the_budget(Vertx vertx, VertxTestContext ctx) {
    String body = numbers(3_000);
    String chunked = Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
    RawHttp.exchange(vertx, service.apiPort(), "POST /tasks HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n" + chunked)
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertThat(answer).startsWith("HTTP/1.1 503 ").contains("retry-after: 1").contains("body budget");
        ctx.completeNow();
      })));
  }

  @Test
  void a_client_that_expects_100_continue_is_refused_before_it_sends_the_body(Vertx vertx, VertxTestContext ctx) {
    RawHttp.exchange(vertx, service.apiPort(), "POST /process HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        + "Content-Length: 3000\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n")
      .onComplete(ctx.succeeding(answer -> ctx.verify(() -> {
        assertThat(answer).startsWith("HTTP/1.1 503 ").doesNotContain("100 Continue");
        ctx.completeNow();
      })));
  }

  @Test
  void headers_that_stop_halfway_get_408_and_the_connection_closes_on_both_servers(Vertx vertx, VertxTestContext ctx) {
    String half = "GET /test/async HTTP/1.1\r\nHost: x\r\n";
    long start = System.nanoTime();
    RawHttp.exchange(vertx, service.apiPort(), half)
      .compose(api -> {
        ctx.verify(() -> assertThat(api).startsWith("HTTP/1.1 408 ").contains("application/problem+json")
          .contains("urn:loopscope:problem:request-timeout"));
        return RawHttp.exchange(vertx, service.adminPort(), half);
      })
      .onComplete(ctx.succeeding(probes -> ctx.verify(() -> {
        assertThat(probes).startsWith("HTTP/1.1 408 ");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        ctx.completeNow();
      })));
  }

  @Test
  void a_body_that_stops_halfway_gets_408_and_its_budget_back(Vertx vertx) throws Exception {
    String answer = RawHttp.exchange(vertx, service.apiPort(), "POST /process HTTP/1.1\r\nHost: x\r\n"
        + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[1,2,3")
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(answer).startsWith("HTTP/1.1 408 ").contains("The request body did not arrive in time");
    await().atMost(Duration.ofSeconds(5)).until(() -> inUse(admin) == 0);
  }

  private static long inUse(WebClient admin) throws Exception {
    HttpResponse<Buffer> now = admin.get("/diagnostics/overload").send().toCompletionStage().toCompletableFuture()
      .get(5, TimeUnit.SECONDS);
    return now.bodyAsJsonObject().getLong("bodyBytesInUse");
  }
}
