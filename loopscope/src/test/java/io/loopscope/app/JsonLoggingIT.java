package io.loopscope.app;

import io.loopscope.http.RequestIdHandler;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/** The real jar's logging: LOOPSCOPE_LOG_FORMAT=json (or log.format: json) gives one JSON object per line, with request ids. */
@ExtendWith(VertxExtension.class)
class JsonLoggingIT {

  private ServiceProcess service;
  private WebClient client;
  private String generatedId;

  @AfterEach
  void stop() throws IOException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void the_env_var_switches_every_line_to_json_with_the_request_id(Vertx vertx) throws Exception {
    service = ServiceProcess.start("json-logging-env", Map.of("LOOPSCOPE_LOG_FORMAT", "json",
      "LOOPSCOPE_SHUTDOWN_READINESSDELAYMS", "0", "LOOPSCOPE_LOG_ACCESS", "true"));
    List<JsonObject> lines = requestsThenStop(vertx);

    assertThat(accessLine(lines, "it-json-1").getString("formattedMessage")).matches("GET /test/async 200 \\d+ ms");
    assertThat(accessLine(lines, generatedId).getString("formattedMessage")).matches("GET /no/such/route 404 \\d+ ms");
    assertThat(lines).anySatisfy(line -> assertThat(line.getString("formattedMessage")).startsWith("loopscope ready"));
    assertThat(lines).allSatisfy(line -> {
      assertThat(line.getString("level")).isNotBlank();
      assertThat(line.getString("loggerName")).isNotBlank();
      assertThat(line.getLong("timestamp")).isPositive();
    });
  }

  @Test
  void the_config_key_switches_to_json_too(Vertx vertx) throws Exception {
    Path config = Files.createTempFile("loopscope-json", ".yaml");
    try {
      Files.writeString(config, "log:\n  format: json\n  access: true\nshutdown:\n  readinessDelayMs: 0\n");
      service = ServiceProcess.start("json-logging-config", Map.of(), "--config", config.toString());
      List<JsonObject> lines = requestsThenStop(vertx);
      assertThat(accessLine(lines, "it-json-1").getString("formattedMessage")).startsWith("GET /test/async 200");
    } finally {
      Files.delete(config);
    }
  }

  @Test
  void a_burst_s_access_lines_stay_whole_and_none_is_missing(Vertx vertx) throws Exception {
    service = ServiceProcess.start("json-logging-burst", Map.of("LOOPSCOPE_LOG_FORMAT", "json",
      "LOOPSCOPE_SHUTDOWN_READINESSDELAYMS", "0", "LOOPSCOPE_LOG_ACCESS", "true"));
    client = client(vertx);
    int requests = 400;
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    for (int i = 0; i < requests; i++) {
      sent.add(client.get("/test/async?ms=1").putHeader(RequestIdHandler.HEADER, "burst-" + i).send());
    }
    Future.all(sent).await(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5))
      .until(() -> service.lines().stream().filter(line -> line.contains("\"burst-")).count() == requests);
    List<JsonObject> lines = service.lines().stream().map(JsonLoggingIT::parse).toList();
    for (int i = 0; i < requests; i++) {
      assertThat(accessLine(lines, "burst-" + i).getString("formattedMessage")).matches("GET /test/async 200 \\d+ ms");
    }
  }

  @Test
  void text_is_the_default(Vertx vertx) throws Exception {
    service = ServiceProcess.start("text-logging", Map.of("LOOPSCOPE_SHUTDOWN_READINESSDELAYMS", "0", "LOOPSCOPE_LOG_ACCESS", "true"));
    client = client(vertx);
    client.get("/test/async?ms=1").putHeader(RequestIdHandler.HEADER, "it-text-1").send().await(10, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(5)).until(() -> service.lines().stream().anyMatch(l -> l.contains("it-text-1")));
    service.terminate();
    assertThat(service.awaitExit(Duration.ofSeconds(40))).isZero();
    assertThat(service.lines()).noneMatch(line -> line.startsWith("{"));
    assertThat(service.lines()).anyMatch(line -> line.matches(".* loopscope.access - GET /test/async 200 \\d+ ms requestId=\"it-text-1\""));
  }

  /** One request with an id, one without (its generated id kept), then SIGTERM; returns stdout, each line parsed. */
  private List<JsonObject> requestsThenStop(Vertx vertx) throws Exception {
    client = client(vertx);
    client.get("/test/async?ms=1").putHeader(RequestIdHandler.HEADER, "it-json-1").send().await(10, TimeUnit.SECONDS);
    generatedId = client.get("/no/such/route").send().await(10, TimeUnit.SECONDS).getHeader(RequestIdHandler.HEADER);
    await().atMost(Duration.ofSeconds(5)).until(() -> service.lines().stream().anyMatch(l -> l.contains(generatedId)));
    service.terminate();
    assertThat(service.awaitExit(Duration.ofSeconds(40))).isZero();
    assertThat(service.lines()).hasSizeGreaterThan(3);
    return service.lines().stream().map(JsonLoggingIT::parse).toList();
  }

  private WebClient client(Vertx vertx) {
    return service.apiClient(vertx);
  }

  private static JsonObject parse(String line) {
    try {
      return new JsonObject(line);
    } catch (DecodeException e) {
      return fail("not one JSON object: " + line);
    }
  }

  private static JsonObject accessLine(List<JsonObject> lines, String requestId) {
    return lines.stream()
      .filter(line -> RequestIdHandler.ACCESS_LOGGER.equals(line.getString("loggerName")))
      .filter(line -> {
        JsonArray pairs = line.getJsonArray("kvpList", new JsonArray());
        return pairs.stream().anyMatch(pair -> requestId.equals(((JsonObject) pair).getString(RequestIdHandler.LOG_KEY)));
      })
      .findFirst()
      .orElseGet(() -> fail("no access line with requestId " + requestId));
  }
}
