package io.loopscope.app;

import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The steps graceful shutdown takes, one at a time, on a service of this test's own. */
@ExtendWith(VertxExtension.class)
class MainVerticleShutdownTest {

  private TestService service;
  private WebClient api;
  private WebClient admin;

  @BeforeEach
  void start(Vertx vertx) {
    service = TestService.start(Map.of());
    api = service.apiClient(vertx);
    admin = service.adminClient(vertx);
  }

  @AfterEach
  void stop() {
    api.close();
    admin.close();
    service.close();
  }

  @Test
  void beginning_the_shutdown_turns_readiness_down_but_keeps_serving_with_connection_close(VertxTestContext ctx) {
    admin.get("/health/ready").send()
      .compose(before -> {
        ctx.verify(() -> assertThat(before.statusCode()).isEqualTo(200));
        service.service().main().beginShutdown();
        return Future.all(admin.get("/health/ready").send(), admin.get("/health/live").send(), api.get("/test/async?ms=1").send());
      })
      .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
        HttpResponse<Buffer> ready = after.resultAt(0);
        HttpResponse<Buffer> live = after.resultAt(1);
        HttpResponse<Buffer> served = after.resultAt(2);
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.bodyAsJsonObject().getJsonArray("checks").stream().map(Object::toString))
          .anyMatch(check -> check.contains("\"id\":\"shutdown\"") && check.contains("\"status\":\"DOWN\""));
        assertThat(live.statusCode()).as("still alive: no restart wanted").isEqualTo(200);
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(served.getHeader("Connection")).isEqualTo("close");
        ctx.completeNow();
      })));
  }

  @Test
  void draining_lets_an_in_flight_request_finish_and_refuses_new_connections(Vertx vertx, VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> inFlight = api.get("/test/async?ms=500").send();
    serverIsServing(vertx, 100)
      .compose(serving -> service.service().main().drain(10_000))
      .compose(drained -> inFlight)
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        WebClient fresh = service.apiClient(vertx);
        fresh.get("/test/async?ms=1").send().onComplete(refused -> ctx.verify(() -> {
          fresh.close();
          assertThat(refused.failed()).as("a new connection after the drain").isTrue();
          ctx.completeNow();
        }));
      })));
  }

  /** Completes once the API server counts a request in progress (its own metric), polling every 20 ms. */
  private Future<Void> serverIsServing(Vertx vertx, int attemptsLeft) {
    return admin.get("/metrics").send().compose(metrics -> {
      boolean serving = metrics.bodyAsString().lines()
        .anyMatch(line -> line.startsWith("vertx_http_server_active_requests") && !line.endsWith(" 0.0"));
      if (serving) {
        return Future.succeededFuture();
      }
      return attemptsLeft == 0 ? Future.failedFuture("no request in progress")
        : vertx.timer(20).compose(t -> serverIsServing(vertx, attemptsLeft - 1));
    });
  }
}
