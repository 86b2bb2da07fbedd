package io.loopscope.blocking;

import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** One legacy instance with a 300 ms budget: a slower query is a 504, and the server cancels it, so the instance is free again soon. */
@ExtendWith(VertxExtension.class)
class LegacyUserVerticleTest {

  private static TestService service;
  private WebClient client;

  @BeforeAll
  static void startService() {
    service = TestService.start(Map.of("legacy.instances", 1, "legacy.timeoutMs", 300));
  }

  @AfterAll
  static void stopService() {
    service.close();
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
  void a_query_slower_than_the_timeout_is_504_and_does_not_hold_the_worker(VertxTestContext ctx) {
    long start = System.nanoTime();
    client.get("/legacy/users/1?sleepMs=3000").send()
      .compose(slow -> {
        long slowMs = (System.nanoTime() - start) / 1_000_000;
        ctx.verify(() -> {
          assertThat(slow.statusCode()).isEqualTo(504);
          assertThat(slow.bodyAsJsonObject().getString("type")).endsWith(":legacy-timeout");
          assertThat(slowMs).isLessThan(1_500);
        });
        return client.get("/legacy/users/1").send();
      })
      .onComplete(ctx.succeeding(next -> ctx.verify(() -> {
        // the 3 s sleep was cancelled by statement_timeout, not waited out
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_500);
        ctx.completeNow();
      })));
  }
}
