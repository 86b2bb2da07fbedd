package io.loopscope.loopwatch;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code -Dloopwatch.enabled=true} and an application that builds its Vert.x with vertx-micrometer's metrics on:
 * LoopWatch attaches through Vert.x's service loader, and vertx-micrometer keeps its metrics, wrapped, not replaced.
 * (Without the property, and for a Vert.x the application wired with LoopWatch itself, nothing is attached.)
 */
class NoCodeAttachTest {

  private Vertx vertx;
  private Vertx clients;

  @AfterEach
  void close() {
    System.clearProperty(LoopWatchServiceProvider.ENABLED_PROPERTY);
    System.clearProperty("loopwatch.metricPrefix");
    if (clients != null) {
      clients.close().await();
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  @Test
  void beside_vertx_micrometer_both_count_and_loopwatch_runs() {
    System.setProperty(LoopWatchServiceProvider.ENABLED_PROPERTY, "true");
    System.setProperty("loopwatch.metricPrefix", "attached");
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setMetricsOptions(new MicrometerMetricsOptions()
      .setEnabled(true).setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))));

    LoopWatch watch = await().atMost(Duration.ofSeconds(10)).until(() -> LoopWatch.of(vertx), found -> found != null);
    Router router = Router.router(vertx);
    router.get("/hello").handler(ctx -> ctx.end("hello"));
    int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await().actualPort();
    clients = Vertx.vertx();
    WebClient client = WebClient.create(clients, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
    assertThat(client.get("/hello").send().await().bodyAsString()).isEqualTo("hello");

    MeterRegistry registry = BackendRegistries.getDefaultNow();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(registry.find("vertx.http.server.requests").counters()).as("vertx-micrometer's own").isNotEmpty();
      assertThat(registry.find("attached.eventloop.lag").timer()).as("LoopWatch's lag, in the same registry").isNotNull();
    });
    assertThat(watch.eventLoops()).hasSize(1);
  }

  @Test
  void without_the_property_nothing_is_attached() {
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
    assertThat(VertxInternals.watchedMetrics(vertx)).as("Vert.x's metrics, wrapped as it was built").isNull();
  }
}
