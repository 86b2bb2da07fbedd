package io.loopscope.http;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** /metrics on the admin port, after traffic: HTTP series labelled by route template, pool and JVM series. */
@ExtendWith(VertxExtension.class)
class MetricsTest {

  /** A path segment no route declares: it must never become a label value. */
  private static final String RAW_SEGMENT = "9876543";
  /** HTTP series only: LoopWatch's loopscope_blocked_total names stalls by route too ("task (framework)" on a loaded machine). */
  private static final Pattern ROUTE_LABEL = Pattern.compile("^vertx_http_server\\w*\\{[^}]*route=\"([^\"]*)\"", Pattern.MULTILINE);

  private WebClient api;
  private WebClient admin;

  @BeforeEach
  void connect(Vertx vertx) {
    api = TestService.shared().apiClient(vertx);
    admin = TestService.shared().adminClient(vertx);
  }

  @AfterEach
  void close() {
    api.close();
    admin.close();
  }

  @Test
  void after_traffic_metrics_has_http_series_by_route_template_and_pool_and_jvm_series(VertxTestContext ctx) {
    List<Route> routes = TestService.shared().service().main().apiVerticles().get(0).router().getRoutes();
    Set<String> templates = routes.stream().map(Route::getName).filter(name -> name != null).collect(Collectors.toSet());
    List<String> paramRoutes = getRoutesWithParams(routes);

    traffic(paramRoutes)
      .compose(v -> admin.get("/metrics").send())
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader("Content-Type")).startsWith("text/plain");
        String metrics = response.bodyAsString();

        assertThat(metrics).contains("vertx_http_server_requests_total{code=\"200\",method=\"GET\",route=\"/test/async\"}");
        assertThat(metrics).containsPattern("vertx_http_server_response_time_seconds_count\\{code=\"200\",method=\"POST\",route=\"/process\"}");
        assertThat(metrics).containsPattern("vertx_http_server_requests_total\\{code=\"404\",method=\"GET\",route=\"\"}");
        assertThat(metrics).as("no raw path in any label").doesNotContain(RAW_SEGMENT);
        for (String label : routeLabels(metrics)) {
          for (String part : label.isEmpty() ? List.<String>of() : List.of(label.split(">"))) {
            assertThat(templates).as("route label %s", label).contains(part);
          }
        }
        for (String template : paramRoutes) {
          assertThat(routeLabels(metrics)).as("a route with path parameters is labelled by its template").contains(template);
        }

        assertThat(metrics).containsPattern("vertx_pool_usage_seconds_count\\{pool_name=\"cpu\",pool_type=\"worker\"} [1-9]");
        assertThat(metrics).containsPattern("vertx_pool_usage_seconds_count\\{pool_name=\"vert.x-worker-thread\",pool_type=\"worker\"} [1-9]");
        assertThat(metrics).contains("vertx_pool_in_use{pool_name=\"cpu\",pool_type=\"worker\"}");
        assertThat(metrics).contains("vertx_pool_queue_pending{pool_name=\"cpu\",pool_type=\"worker\"}");

        assertThat(metrics).containsPattern("jvm_memory_used_bytes\\{area=\"heap\"");
        assertThat(metrics).contains("jvm_gc_memory_allocated_bytes_total");
        assertThat(metrics).containsPattern("jvm_threads_live_threads \\d");
        assertThat(metrics).as("log lines the console appender dropped").containsPattern("loopscope_log_dropped_total \\d");
        assertThat(metrics).contains("process_cpu_usage");
        ctx.completeNow();
      })));
  }

  /** Requests through the event loops, the blocking pool and the cpu pool, a 404 with a raw path, and every parameterised GET route. */
  private Future<?> traffic(List<String> paramRoutes) {
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    sent.add(api.get("/test/async?ms=1").send());
    sent.add(api.get("/test/sync?ms=1").send());
    sent.add(api.post("/process").sendBuffer(Buffer.buffer("[3,1,2]")));
    sent.add(api.get("/no/such/route/" + RAW_SEGMENT).send());
    for (String template : paramRoutes) {
      sent.add(api.get(template.replaceAll(":[A-Za-z0-9_]+", RAW_SEGMENT)).send());
    }
    return Future.all(sent);
  }

  private static List<String> getRoutesWithParams(List<Route> routes) {
    return routes.stream()
      .filter(route -> route.getPath() != null && route.getPath().contains(":") && !route.isRegexPath())
      .filter(route -> route.methods() != null && route.methods().contains(HttpMethod.GET))
      .map(Route::getPath)
      .distinct()
      .toList();
  }

  private static List<String> routeLabels(String metrics) {
    List<String> labels = new ArrayList<>();
    Matcher matcher = ROUTE_LABEL.matcher(metrics);
    while (matcher.find()) {
      labels.add(matcher.group(1));
    }
    return labels;
  }
}
