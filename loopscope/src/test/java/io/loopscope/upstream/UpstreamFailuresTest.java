package io.loopscope.upstream;

import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** An upstream that is slow, down or switched off gives 504, 502 or 404 — and never hangs a request. */
@ExtendWith(VertxExtension.class)
class UpstreamFailuresTest {

  private TestService service;
  private WebClient client;

  @AfterEach
  void stop() {
    client.close();
    service.close();
  }

  private static void assertProblem(HttpResponse<Buffer> response, int status, String type) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
    assertThat(response.bodyAsJsonObject().getString("type")).isEqualTo("urn:loopscope:problem:" + type);
  }

  @Test
  void an_upstream_slower_than_the_timeout_is_a_504(Vertx vertx, VertxTestContext ctx) {
    service = TestService.start(Map.of("upstream.timeoutMs", 200));
    client = service.apiClient(vertx);
    long start = System.nanoTime();
    Future.all(client.get("/good-example?ms=3000").send(), client.get("/bad-example?ms=3000").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertProblem(both.resultAt(0), 504, "upstream-timeout");
        assertProblem(both.resultAt(1), 504, "upstream-timeout");
        assertThat((System.nanoTime() - start) / 1_000_000).as("gave up at the timeout, not the answer").isLessThan(2_500);
        ctx.completeNow();
      })));
  }

  @Test
  void an_unreachable_upstream_is_a_502(Vertx vertx, VertxTestContext ctx) throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
    service = TestService.start(Map.of("upstream.baseUrl", "http://127.0.0.1:" + closedPort));
    client = service.apiClient(vertx);
    Future.all(client.get("/good-example").send(), client.get("/bad-example").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertProblem(both.resultAt(0), 502, "upstream-failed");
        assertProblem(both.resultAt(1), 502, "upstream-failed");
        ctx.completeNow();
      })));
  }

  @Test
  void the_bad_example_can_be_switched_off(Vertx vertx, VertxTestContext ctx) {
    service = TestService.start(Map.of("demo.badExample.enabled", false));
    client = service.apiClient(vertx);
    Future.all(client.get("/bad-example").send(), client.get("/good-example?ms=0").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertProblem(both.resultAt(0), 404, "not-found");
        assertThat(both.<HttpResponse<Buffer>>resultAt(1).statusCode()).isEqualTo(200);
        ctx.completeNow();
      })));
  }
}
