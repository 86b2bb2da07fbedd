package io.loopscope.http;

import java.net.http.HttpClient;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Many large bodies at once, each within the documented limits, against the jar in the image's JVM
 * (-Xmx192m, -XX:+ExitOnOutOfMemoryError): the body budget turns the excess into 503 + Retry-After, the
 * process lives, every client gets an answer, and readiness is UP again soon after.
 */
@ExtendWith(VertxExtension.class)
class HostileBodiesIT {

  private static final int MB = 1_000_000;
  private static ServiceProcess service;

  @BeforeAll
  static void start() {
    service = ServiceProcess.startAsImage("hostile-bodies", Map.of());
  }

  @AfterAll
  static void stop() throws IOException {
    service.close();
  }

  @Test
  void forty_concurrent_15_mb_process_bodies_get_200_413_or_503_and_the_process_lives(Vertx vertx) throws Exception {
    // a million 14-digit numbers: under http.maxBodyBytes (16 MiB) and cpu.maxItems
    Buffer body = numbers(1_000_000, 15 * MB);
    assertThat(body.length()).isBetween(14 * MB, 15 * MB + 1);

    List<Integer> statuses = burst(vertx, 40, "/process", body);

    assertAnsweredAndAlive(statuses);
  }

  @Test
  void four_hundred_concurrent_1_mib_task_bodies_get_202_413_or_503_and_the_process_lives(Vertx vertx) throws Exception {
    Buffer numbers = numbers(170_000, 1_040_000);
    Buffer body = Buffer.buffer("{\"kind\":\"sort\",\"data\":").appendBuffer(numbers).appendString("}");
    assertThat(body.length()).isLessThanOrEqualTo(1024 * 1024);

    List<Integer> statuses = burst(vertx, 400, "/tasks", body);

    assertAnsweredAndAlive(statuses);
  }

  private static void assertAnsweredAndAlive(List<Integer> statuses) {
    Map<Integer, Long> counts = statuses.stream().collect(Collectors.groupingBy(s -> s, Collectors.counting()));
    assertThat(statuses).as("statuses %s; 0 = no answer", counts).allMatch(s -> s == 200 || s == 202 || s == 413 || s == 503);
    assertThat(statuses).as("some bodies are served, %s", counts).anyMatch(s -> s == 200 || s == 202);
    assertThat(service.isAlive()).as("the process survived").isTrue();
    assertThat(service.lines()).noneMatch(line -> line.contains("OutOfMemoryError"));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).until(() -> readiness() == 200);
  }

  /** Sends every body at once on its own connection; 0 for a request that got no answer. */
  private static List<Integer> burst(Vertx vertx, int count, String path, Buffer body) throws Exception {
    WebClient client = service.apiClient(vertx);
    List<Future<Integer>> answers = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      answers.add(client.post(path).putHeader("content-type", "application/json").timeout(60_000).sendBuffer(body)
        .map(response -> checked(response)).otherwise(0));
    }
    Future.join(answers).toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    return answers.stream().map(Future::result).toList();
  }

  private static int checked(HttpResponse<Buffer> response) {
    if (response.statusCode() == 503) {
      assertThat(response.getHeader("retry-after")).as("503 carries Retry-After").isNotBlank();
      assertThat(response.getHeader("content-type")).isEqualTo("application/problem+json");
      assertThat(new JsonObject(response.body()).getInteger("status")).isEqualTo(503);
    }
    return response.statusCode();
  }

  /** A JSON array of {@code count} numbers, about {@code bytes} long. */
  private static Buffer numbers(int count, int bytes) {
    Random random = new Random(15);
    int digits = Math.max(1, bytes / count - 1);
    long low = (long) Math.pow(10, digits - 1);
    StringBuilder out = new StringBuilder(bytes + 16).append('[');
    for (int i = 0; i < count; i++) {
      out.append(i == 0 ? "" : ",").append(low + (long) (random.nextDouble() * 8 * low));
    }
    return Buffer.buffer(out.append(']').toString());
  }

  private static int readiness() throws Exception {
    var client = HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + service.adminPort() + "/health/ready"))
      .timeout(Duration.ofSeconds(2)).build();
    return client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
