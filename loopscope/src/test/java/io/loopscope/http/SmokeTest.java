package io.loopscope.http;

import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class SmokeTest {

  private WebClient client;

  @BeforeEach
  void connect(Vertx vertx) {
    client = TestService.shared().apiClient(vertx);
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void serves_the_async_endpoint(VertxTestContext ctx) {
    client.get("/test/async?ms=1").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.bodyAsJsonObject().getString("data")).isEqualTo("ok");
      ctx.completeNow();
    })));
  }
}
