package io.loopscope.tracing;

import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The whole service with {@code tracing.enabled}: the bad example's span reaches an OTLP/HTTP collector (a
 * tiny one here, that keeps each POST /v1/traces body), under the trace id the caller sent, and the stall
 * report names that trace. The protobuf is not decoded: a trace id is its 16 raw bytes in the body.
 */
class OtlpExportTest {

  private static final String TRACE_ID = "0af7651916cd43dd8448eb211c80319c";

  private static Vertx vertx;
  private static final List<Buffer> exported = new CopyOnWriteArrayList<>();
  private static TestService service;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    HttpServer collector = vertx.createHttpServer().requestHandler(request -> {
      if (!request.path().equals("/v1/traces")) {
        request.response().setStatusCode(404).end();
        return;
      }
      request.body().onSuccess(body -> {
        exported.add(body);
        // an empty ExportTraceServiceResponse: everything accepted
        request.response().putHeader("content-type", "application/x-protobuf").end();
      });
    }).listen(0, "127.0.0.1").await();
    service = TestService.start(Map.of("tracing.enabled", true,
      "tracing.otlpEndpoint", "http://127.0.0.1:" + collector.actualPort()));
  }

  @AfterAll
  static void stop() {
    service.close();
    vertx.close().await();
  }

  @Test
  void the_stalling_requests_span_reaches_the_collector_under_the_callers_trace_and_the_report_names_it() {
    WebClient api = service.apiClient(vertx);
    api.get("/bad-example?ms=300").putHeader("traceparent", "00-" + TRACE_ID + "-b7ad6b7169203331-01")
      .timeout(10_000).send().await();

    byte[] traceId = HexFormat.of().parseHex(TRACE_ID);
    await().atMost(Duration.ofSeconds(15)).until(() -> exported.stream().anyMatch(body -> contains(body.getBytes(), traceId)));
    JsonObject report = latestReport(service.adminClient(vertx));
    assertThat(report.getString("route")).isEqualTo("GET /bad-example");
    assertThat(report.getString("traceId")).isEqualTo(TRACE_ID);
    assertThat(report.getString("spanId")).hasSize(16);
    assertThat(((VertxInternal) service.service().vertx()).tracer()).isNotNull();
  }

  @Test
  void by_default_the_service_has_no_tracer() {
    assertThat(((VertxInternal) TestService.shared().service().vertx()).tracer()).isNull();
  }

  private static JsonObject latestReport(WebClient admin) {
    await().atMost(Duration.ofSeconds(5)).until(() -> !reports(admin).isEmpty());
    return reports(admin).getJsonObject(0);
  }

  private static JsonArray reports(WebClient admin) {
    return admin.get("/diagnostics/blocked?limit=1").send().await().bodyAsJsonObject().getJsonArray("reports");
  }

  private static boolean contains(byte[] body, byte[] part) {
    for (int i = 0; i + part.length <= body.length; i++) {
      int j = 0;
      while (j < part.length && body[i + j] == part[j]) {
        j++;
      }
      if (j == part.length) {
        return true;
      }
    }
    return false;
  }
}
