package io.loopscope.loopwatch;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What an application gets from the public API alone: a Vert.x built for LoopWatch, its handler first on the
 * router (or not: vertx-web's metrics calls name the route then), its routes on a router, its health procedure
 * and its metrics under the application's prefix.
 */
class LoopWatchAdoptionTest {

  private Vertx vertx;
  private Vertx clients;

  @AfterEach
  void close() {
    if (clients != null) {
      clients.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @ParameterizedTest(name = "with LoopWatch''s handler first: {0}")
  @ValueSource(booleans = {true, false})
  void a_blocking_handler_is_reported_with_its_route_and_the_applications_frame(boolean handlerFirst) {
    LoopWatchOptions options = new LoopWatchOptions().addApplicationPackage("io.loopscope.loopwatch.LoopWatchAdoption")
      .setMetricPrefix("acme");
    vertx = Vertx.builder()
      .with(LoopWatch.configure(new VertxOptions().setEventLoopPoolSize(2), options))
      .withMetrics(LoopWatch.metricsFactory(null, options))
      .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    LoopWatch watch = new LoopWatch(registry, options);
    vertx.deployVerticle(watch).await();
    assertThat(LoopWatch.of(vertx)).isSameAs(watch);

    Router router = Router.router(vertx);
    if (handlerFirst) {
      router.route().handler(watch.handler());
    }
    router.get("/slow").handler(LoopWatchAdoptionTest::blockFor300Ms);
    LoopWatchRoutes.mount(router, watch);
    HealthChecks health = HealthChecks.create(vertx).register("loopwatch", watch.healthProcedure());
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();

    clients = Vertx.vertx();
    WebClient client = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1")
      .setDefaultPort(server.actualPort()));
    assertThat(client.get("/slow").send().await().statusCode()).isEqualTo(200);

    JsonObject report = await().atMost(Duration.ofSeconds(10)).until(() -> client.get("/loopwatch/blocked?limit=1").send()
        .await().bodyAsJsonObject().getJsonArray("reports"), reports -> !reports.isEmpty()
        && !reports.getJsonObject(0).getBoolean("ongoing"))
      .getJsonObject(0);
    assertThat(report.getString("route")).isEqualTo("GET /slow");
    assertThat(report.getJsonObject("culprit").getString("method")).isEqualTo("LoopWatchAdoptionTest.blockFor300Ms");
    assertThat(registry.find("acme.blocked").tag("route", "GET /slow").counter()).isNotNull();
    assertThat(registry.find("acme.eventloop.lag").timer()).isNotNull();
    assertThat(health.checkStatus().await().getUp()).isTrue();
  }

  private static void blockFor300Ms(RoutingContext ctx) {
    try {
      Thread.sleep(300); // the stall under test, on the event loop on purpose
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ctx.end("slow");
  }
}
