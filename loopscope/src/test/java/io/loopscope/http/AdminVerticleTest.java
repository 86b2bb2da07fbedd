package io.loopscope.http;

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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class AdminVerticleTest {

  private WebClient admin;
  private WebClient api;

  @BeforeEach
  void connect(Vertx vertx) {
    admin = TestService.shared().adminClient(vertx);
    api = TestService.shared().apiClient(vertx);
  }

  @AfterEach
  void close() {
    admin.close();
    api.close();
  }

  @Test
  void liveness_and_readiness_are_up_once_started(VertxTestContext ctx) {
    Future.all(admin.get("/health/live").send(), admin.get("/health/ready").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        for (int i = 0; i < 2; i++) {
          HttpResponse<Buffer> response = both.resultAt(i);
          assertThat(response.statusCode()).isEqualTo(200);
          JsonObject health = response.bodyAsJsonObject();
          assertThat(health.getString("outcome")).isEqualTo("UP");
        }
        ctx.completeNow();
      })));
  }

  @Test
  void metrics_label_requests_with_route_templates(VertxTestContext ctx) {
    api.get("/test/async?ms=0").send()
      .compose(done -> admin.get("/metrics").send())
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.bodyAsString())
          .contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/test/async\"}")
          .doesNotContain("ms=0");
        ctx.completeNow();
      })));
  }

  /**
   * The JDK HttpClient asks for an h2c upgrade by default; with Vert.x's default h2c support its /metrics
   * request hung (a 40 KB HTTP/2 answer right behind the 101). Both ports answer it in HTTP/1.1.
   */
  @Test
  void a_client_asking_for_h2c_gets_http_1_1_whatever_the_size() throws Exception {
    HttpClient client = HttpClient.newHttpClient(); // HTTP/2 preferred: it sends Upgrade: h2c
    for (String url : List.of("http://127.0.0.1:" + TestService.shared().adminPort() + "/metrics",
      "http://127.0.0.1:" + TestService.shared().apiPort() + "/openapi.yaml")) {
      java.net.http.HttpResponse<String> response = client.sendAsync(HttpRequest.newBuilder(URI.create(url)).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).get(10, TimeUnit.SECONDS);
      assertThat(response.statusCode()).as(url).isEqualTo(200);
      assertThat(response.version()).as(url).isEqualTo(HttpClient.Version.HTTP_1_1);
      assertThat(response.body().length()).as(url).isGreaterThan(20_000);
    }
  }

  @Test
  void the_api_port_does_not_serve_admin_routes(VertxTestContext ctx) {
    Future.all(api.get("/health/ready").send(), api.get("/metrics").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        assertThat(both.<HttpResponse<Buffer>>resultAt(0).statusCode()).isEqualTo(404);
        assertThat(both.<HttpResponse<Buffer>>resultAt(1).statusCode()).isEqualTo(404);
        ctx.completeNow();
      })));
  }
}
