package io.loopscope.app;

import io.loopscope.config.LoopscopeConfig;

import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * SIGTERM to the real jar while 200 requests are in flight: readiness goes DOWN at once, new connections
 * are accepted for shutdown.readinessDelayMs, then refused, every in-flight request still completes,
 * and the process exits 0 well within the drain timeout.
 */
@ExtendWith(VertxExtension.class)
class GracefulShutdownIT {

  private static final int REQUESTS = 200;
  private static final int REQUEST_MS = 1000;
  private static final long SIGNAL_AFTER_MS = 200;
  /** Short enough that the server stops accepting while the 1 s requests are still in flight. */
  private static final int READINESS_DELAY_MS = 400;
  private static final int DRAIN_TIMEOUT_MS = 10_000;

  private record Outcome(int status, long endNanos) {
  }

  private ServiceProcess service;
  private WebClient client;
  private HttpClient probes;

  @BeforeEach
  void clients() {
    probes = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  private void start(Vertx vertx, String name, int readinessDelayMs, int drainTimeoutMs) {
    service = ServiceProcess.start(name, Map.of(
      "LOOPSCOPE_SHUTDOWN_READINESSDELAYMS", String.valueOf(readinessDelayMs),
      "LOOPSCOPE_SHUTDOWN_DRAINTIMEOUTMS", String.valueOf(drainTimeoutMs)));
    client = service.apiClient(vertx);
  }

  @AfterEach
  void stop() throws IOException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void sigterm_turns_readiness_down_drains_in_flight_requests_and_exits_0(Vertx vertx) throws Exception {
    start(vertx, "graceful-shutdown", READINESS_DELAY_MS, DRAIN_TIMEOUT_MS);
    assertThat(readiness()).isEqualTo(200);

    List<Future<Outcome>> inFlight = new ArrayList<>();
    for (int i = 0; i < REQUESTS; i++) {
      inFlight.add(client.get("/test/async?ms=" + REQUEST_MS).send()
        .map(response -> new Outcome(response.statusCode(), System.nanoTime())));
    }
    vertx.timer(SIGNAL_AFTER_MS).await(5, TimeUnit.SECONDS);

    long signal = System.nanoTime();
    service.terminate();
    await().atMost(Duration.ofSeconds(2)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
      .until(() -> readiness() == 503);
    long readinessDownMs = msSince(signal);

    io.vertx.ext.web.client.HttpResponse<?> freshConnection = onFreshConnection(vertx, "/test/async?ms=1");
    long freshConnectionMs = msSince(signal);

    await().atMost(Duration.ofSeconds(5)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
      .until(() -> !accepts(service.apiPort()));
    long refusedMs = msSince(signal);

    List<Outcome> outcomes = Future.all(inFlight).await(30, TimeUnit.SECONDS).list();
    long lastResponseMs = outcomes.stream().mapToLong(o -> TimeUnit.NANOSECONDS.toMillis(o.endNanos() - signal)).max().orElseThrow();
    int exitCode = service.awaitExit(Duration.ofMillis(GracefulShutdown.budgetMs(
      new LoopscopeConfig.Shutdown(READINESS_DELAY_MS, DRAIN_TIMEOUT_MS))));
    long exitMs = msSince(signal);

    System.out.printf("graceful shutdown: %d requests of %d ms, SIGTERM after %d ms; readiness DOWN after %d ms; "
        + "a new connection served after %d ms; connections refused after %d ms; last in-flight response after %d ms "
        + "(%d x 200); exit %d after %d ms%n", REQUESTS, REQUEST_MS, SIGNAL_AFTER_MS, readinessDownMs, freshConnectionMs,
      refusedMs, lastResponseMs, outcomes.stream().filter(o -> o.status() == 200).count(), exitCode, exitMs);

    assertThat(readinessDownMs).as("readiness DOWN after the signal (ms)").isLessThanOrEqualTo(100);
    assertThat(freshConnection.statusCode()).as("a new connection during the readiness delay").isEqualTo(200);
    assertThat(freshConnection.getHeader("Connection")).as("clients are asked to reconnect elsewhere").isEqualTo("close");
    assertThat(freshConnectionMs).isLessThan(READINESS_DELAY_MS);
    assertThat(refusedMs).as("connections refused only after the readiness delay").isGreaterThanOrEqualTo(READINESS_DELAY_MS);
    assertThat(outcomes).hasSize(REQUESTS).allSatisfy(outcome -> assertThat(outcome.status()).isEqualTo(200));
    assertThat(lastResponseMs).as("in-flight requests were still finishing after accepting stopped").isGreaterThan(refusedMs);
    assertThat(exitCode).isZero();
    assertThat(exitMs).as("exit within the drain timeout").isLessThan(DRAIN_TIMEOUT_MS);
    assertThat(service.lines()).anyMatch(line -> line.contains("Stopped"));
  }

  @Test
  void a_second_sigterm_exits_at_once(Vertx vertx) throws Exception {
    start(vertx, "second-sigterm", 60_000, DRAIN_TIMEOUT_MS);
    service.terminate();
    await().atMost(Duration.ofSeconds(2)).until(() -> readiness() == 503);
    long second = System.nanoTime();
    service.terminate();
    assertThat(service.awaitExit(Duration.ofSeconds(10))).isEqualTo(GracefulShutdown.EXIT_FORCED);
    assertThat(msSince(second)).as("exit after the second signal (ms)").isLessThan(5_000);
  }

  @Test
  void a_request_outlasting_the_drain_timeout_does_not_hold_up_the_exit(Vertx vertx) throws Exception {
    int drainTimeoutMs = 500;
    start(vertx, "drain-timeout", 0, drainTimeoutMs);
    Future<?> slow = client.get("/test/async?ms=8000").send();
    await().atMost(Duration.ofSeconds(5)).until(() -> activeRequests() >= 1);
    long signal = System.nanoTime();
    service.terminate();
    int exitCode = service.awaitExit(Duration.ofSeconds(10));
    long exitMs = msSince(signal);
    assertThat(exitCode).isZero();
    assertThat(exitMs).as("exit after the signal (ms)").isGreaterThanOrEqualTo(drainTimeoutMs).isLessThan(5_000);
    assertThat(catchThrowable(() -> slow.await(5, TimeUnit.SECONDS))).as("the request cut at the drain timeout").isNotNull();
  }

  @Test
  void a_sigterm_during_start_up_stops_the_service_once_it_has_started_and_exits_0() throws Exception {
    launchUntilStartingUp("sigterm-during-start-up");
    service.terminate();

    assertThat(service.awaitExit(Duration.ofSeconds(60))).as("exit code").isEqualTo(GracefulShutdown.EXIT_CLEAN);
    assertThat(service.lines())
      .anyMatch(line -> line.contains("SIGTERM during start-up: stopping as soon as the service has started"))
      .anyMatch(line -> line.contains("Stopped"));
    assertThat(accepts(service.embeddedPostgres().port())).as("the embedded PostgreSQL still accepts").isFalse();
  }

  @Test
  void a_second_sigterm_during_start_up_exits_1_without_waiting_for_it() throws Exception {
    launchUntilStartingUp("second-sigterm-during-start-up");
    service.terminate();
    await().atMost(Duration.ofSeconds(5)).until(() -> service.lines().stream().anyMatch(line -> line.contains("SIGTERM during start-up")));
    long second = System.nanoTime();
    service.terminate();
    assertThat(service.awaitExit(Duration.ofSeconds(10))).isEqualTo(GracefulShutdown.EXIT_FORCED);
    assertThat(msSince(second)).as("exit after the second signal (ms)").isLessThan(5_000);
    assertThat(service.lines()).noneMatch(line -> line.contains("loopscope ready"));
  }

  /** Launches the jar and returns while it is still starting: LoopWatch is up (the signals are taken over), the database is not. */
  private void launchUntilStartingUp(String name) {
    service = ServiceProcess.launch(name, Map.of("LOOPSCOPE_SHUTDOWN_READINESSDELAYMS", "0"));
    // LoopWatch starts seconds before the database is up, and after the signals are taken over
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
      .failFast("the service exited during start-up", () -> !service.alive())
      .until(() -> service.lines().stream().anyMatch(line -> line.contains("LoopWatch on")));
    assertThat(service.lines()).noneMatch(line -> line.contains("loopscope ready"));
  }

  /** The server's own count of requests it is serving. */
  private double activeRequests() throws IOException, InterruptedException {
    String metrics = probes.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.adminPort() + "/metrics"))
      .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
    return metrics.lines().filter(line -> line.startsWith("vertx_http_server_active_requests"))
      .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
  }

  private int readiness() throws IOException, InterruptedException {
    return probes.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + service.adminPort() + "/health/ready"))
      .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  /** A client of its own opens a new TCP connection. */
  private io.vertx.ext.web.client.HttpResponse<?> onFreshConnection(Vertx vertx, String path) throws Exception {
    return service.apiClient(vertx).get(path).send().await(5, TimeUnit.SECONDS);
  }

  private static boolean accepts(int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
      return true;
    } catch (ConnectException refused) {
      return false;
    }
  }

  private static long msSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
