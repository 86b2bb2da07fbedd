package io.loopscope.metrics;

import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The HTTP server series keep the names, labels and meaning vertx-micrometer gave them: after a known mix
 * of requests on a service of its own, every count is exact, per route template, method and status.
 */
@ExtendWith(VertxExtension.class)
class HttpServerMetricsTest {

  private static final Pattern SERIES = Pattern.compile("^(vertx_http_server_[a-z_]+)(\\{[^}]*})? (\\S+)$", Pattern.MULTILINE);

  private static TestService service;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of());
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @Test
  void a_known_mix_gives_exact_counts_by_route_template_method_and_status(Vertx vertx, VertxTestContext ctx) {
    WebClient api = service.apiClient(vertx);
    WebClient admin = service.adminClient(vertx);
    List<Future<HttpResponse<Buffer>>> mix = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      mix.add(api.get("/test/async?ms=0").send());
    }
    for (int i = 0; i < 3; i++) {
      mix.add(api.get("/test/async?ms=abc").send());
    }
    for (int i = 0; i < 2; i++) {
      mix.add(api.get("/no/such/" + i).send());
    }
    for (int i = 0; i < 4; i++) {
      mix.add(api.get("/tasks/" + (900_000 + i)).send());
    }
    mix.add(api.post("/process").sendBuffer(Buffer.buffer("[3,1,2]")));
    mix.add(api.get("/good-example?ms=0&fail=true").send());
    Future.all(mix)
      .compose(sent -> admin.get("/metrics").send())
      .onComplete(ctx.succeeding(scrape -> ctx.verify(() -> {
        String metrics = scrape.bodyAsString();
        assertThat(value(metrics, "vertx_http_server_requests_total", "code=\"200\",method=\"GET\",route=\"/test/async\"")).isEqualTo(7);
        assertThat(value(metrics, "vertx_http_server_requests_total", "code=\"400\",method=\"GET\",route=\"/test/async\"")).isEqualTo(3);
        assertThat(value(metrics, "vertx_http_server_requests_total", "code=\"404\",method=\"GET\",route=\"\"")).isEqualTo(2);
        assertThat(value(metrics, "vertx_http_server_requests_total", "code=\"404\",method=\"GET\",route=\"/tasks/:id\"")).isEqualTo(4);
        assertThat(value(metrics, "vertx_http_server_requests_total", "code=\"200\",method=\"POST\",route=\"/process\"")).isEqualTo(1);
        assertThat(value(metrics, "vertx_http_server_requests_total", "code=\"502\",method=\"GET\",route=\"/good-example\"")).isEqualTo(1);
        assertThat(value(metrics, "vertx_http_server_response_time_seconds_count", "code=\"200\",method=\"GET\",route=\"/test/async\"")).isEqualTo(7);
        assertThat(value(metrics, "vertx_http_server_response_time_seconds_sum", "code=\"200\",method=\"GET\",route=\"/test/async\"")).isPositive();
        assertThat(value(metrics, "vertx_http_server_response_bytes_count", "code=\"400\",method=\"GET\",route=\"/test/async\"")).isEqualTo(3);
        assertThat(value(metrics, "vertx_http_server_request_bytes_count", "method=\"GET\"")).isEqualTo(17);
        assertThat(value(metrics, "vertx_http_server_request_bytes_count", "method=\"POST\"")).isEqualTo(1);
        assertThat(value(metrics, "vertx_http_server_active_requests", "method=\"GET\"")).isZero();
        assertThat(seriesNames(metrics)).containsExactly(
          "vertx_http_server_active_connections", "vertx_http_server_active_requests",
          "vertx_http_server_bytes_read_total", "vertx_http_server_bytes_written_total",
          "vertx_http_server_request_bytes_count", "vertx_http_server_request_bytes_max", "vertx_http_server_request_bytes_sum",
          "vertx_http_server_requests_total",
          "vertx_http_server_response_bytes_count", "vertx_http_server_response_bytes_max", "vertx_http_server_response_bytes_sum",
          "vertx_http_server_response_time_seconds_count", "vertx_http_server_response_time_seconds_max",
          "vertx_http_server_response_time_seconds_sum");
        ctx.completeNow();
      })));
  }

  private static double value(String metrics, String name, String labels) {
    Matcher m = SERIES.matcher(metrics);
    while (m.find()) {
      if (m.group(1).equals(name) && ("{" + labels + "}").equals(m.group(2) == null ? "{}" : m.group(2))) {
        return Double.parseDouble(m.group(3));
      }
    }
    throw new AssertionError(name + "{" + labels + "} not on /metrics");
  }

  private static TreeSet<String> seriesNames(String metrics) {
    TreeSet<String> names = new TreeSet<>();
    Matcher m = SERIES.matcher(metrics);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
