package io.loopscope.http;

import io.loopscope.testing.RawHttp;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every bound of the contracts the packaged jar serves ({@code GET /openapi.yaml} on the API and the admin port),
 * tried from outside: for each bounded query, path and header parameter of each operation, the values just
 * outside each bound ({@link ContractBounds}), each on its own raw connection with every other parameter valid.
 * Each is a 400 invalid-parameter problem naming that parameter, without a stack trace, and the service is
 * healthy after. The bounds come from the contract, so a bound added to it is tried here without a word of Java.
 */
@ExtendWith(VertxExtension.class)
class ContractBoundsIT {

  private static ServiceProcess service;

  @BeforeAll
  static void start() {
    service = ServiceProcess.start("contract-bounds", Map.of());
  }

  @AfterAll
  static void stop() throws IOException {
    service.close();
  }

  @Test
  void every_value_just_outside_an_api_contract_bound_is_a_400_problem_naming_its_parameter(Vertx vertx) throws Exception {
    assertEveryBoundEnforced(vertx, service.apiPort());
  }

  @Test
  void every_value_just_outside_an_admin_contract_bound_is_a_400_problem_naming_its_parameter(Vertx vertx) throws Exception {
    assertEveryBoundEnforced(vertx, service.adminPort());
  }

  private static void assertEveryBoundEnforced(Vertx vertx, int port) throws Exception {
    ContractBounds bounds = new ContractBounds(servedContract(vertx, port));
    List<ContractBounds.Probe> probes = bounds.probes();

    Map<String, Set<String>> bounded = bounds.boundedParameters();
    assertThat(bounded).as("bounded parameters in the contract").isNotEmpty();
    bounded.forEach((parameter, keywords) -> keywords.forEach(keyword -> assertThat(probes)
      .as("values outside %s's %s", parameter, keyword)
      .anyMatch(probe -> probe.key().equals(parameter) && probe.keyword().equals(keyword))));

    List<Future<String>> answers = probes.stream().map(probe -> RawHttp.exchange(vertx, port, probe.request())).toList();
    Future.join(answers).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);

    Map<String, String> wrong = new TreeMap<>();
    for (int i = 0; i < probes.size(); i++) {
      String problem = misanswer(probes.get(i), answers.get(i));
      if (problem != null) {
        wrong.put(probes.get(i).toString(), problem);
      }
    }
    System.out.printf("port %d: %d values outside the bounds of %d parameters; %d not answered 400 naming the parameter%n",
      port, probes.size(), bounded.size(), wrong.size());
    assertThat(wrong).as("of %d values outside a bound, those not answered 400 naming the parameter", probes.size()).isEmpty();

    assertThat(service.isAlive()).isTrue();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
      .untilAsserted(() -> assertThat(status(vertx, service.adminPort(), "/health/ready")).as("readiness after the probes").isEqualTo(200));
    assertThat(status(vertx, service.apiPort(), "/test/async?ms=0")).as("an in-bounds request after the probes").isEqualTo(200);
  }

  /** Why this answer is not the 400 problem the probe should get; null when it is. */
  private static String misanswer(ContractBounds.Probe probe, Future<String> answer) {
    if (answer.failed()) {
      return "no answer: " + answer.cause();
    }
    Response response = Response.parse(answer.result());
    if (response.status() != 400) {
      return response.status() + " " + response.body();
    }
    if (!String.valueOf(response.header("content-type")).startsWith("application/problem+json")) {
      return "content-type " + response.header("content-type");
    }
    JsonObject problem = new JsonObject(response.body());
    if (!probe.parameter().equals(problem.getString("field")) || !"urn:loopscope:problem:invalid-parameter".equals(problem.getString("type"))
      || !problem.getString("detail", "").contains(probe.parameter())) {
      return "not an invalid-parameter problem naming " + probe.parameter() + ": " + response.body();
    }
    if (response.body().contains("Exception") || response.body().contains("\tat ")) {
      return "a stack trace: " + response.body();
    }
    return null;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> servedContract(Vertx vertx, int port) throws Exception {
    Response response = get(vertx, port, "/openapi.yaml");
    assertThat(response.status()).as("GET /openapi.yaml").isEqualTo(200);
    return new Yaml().load(response.body());
  }

  private static int status(Vertx vertx, int port, String uri) throws Exception {
    return get(vertx, port, uri).status();
  }

  private static Response get(Vertx vertx, int port, String uri) throws Exception {
    String request = "GET " + uri + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    return Response.parse(RawHttp.exchange(vertx, port, request).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  /** A raw HTTP/1.1 answer: status, headers (lower-case names) and body, de-chunked. */
  private record Response(int status, Map<String, String> headers, String body) {

    String header(String name) {
      return headers.get(name);
    }

    static Response parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      assertThat(end).as("a complete HTTP head in %s", raw).isPositive();
      String[] lines = raw.substring(0, end).split("\r\n");
      int status = Integer.parseInt(lines[0].split(" ")[1]);
      Map<String, String> headers = new TreeMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      String body = raw.substring(end + 4);
      return new Response(status, headers, "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? dechunk(body) : body);
    }

    private static String dechunk(String chunked) {
      StringBuilder body = new StringBuilder();
      int at = 0;
      while (true) {
        int lineEnd = chunked.indexOf("\r\n", at);
        int size = Integer.parseInt(chunked.substring(at, lineEnd).split(";")[0].trim(), 16);
        if (size == 0) {
          return body.toString();
        }
        body.append(chunked, lineEnd + 2, lineEnd + 2 + size);
        at = lineEnd + 2 + size + 2;
      }
    }
  }
}
