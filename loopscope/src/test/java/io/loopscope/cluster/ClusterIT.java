package io.loopscope.cluster;

import java.util.concurrent.TimeoutException;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.db.EmbeddedDatabase;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One API node (legacy.instances=0) and two `loopscope worker` nodes of the packaged jar, clustered over
 * TCP-IP on 127.0.0.1, all on a PostgreSQL this test starts. The legacy calls spread over the workers;
 * a worker killed with SIGKILL costs only the calls in flight to it (504 within legacy.timeoutMs), its
 * replacement takes work again, and every node's admin port shows every node's stalls.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterIT {

  private static final int LEGACY_TIMEOUT_MS = 2_000;
  private static final Duration CALL_EVERY = Duration.ofMillis(250);
  private static final Duration AFTER_KILL = Duration.ofSeconds(40);
  /** Lean child JVMs: three of them share two cores with the build. */
  private static final List<String> JVM_FLAGS = List.of("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

  private record Call(long startMs, long durationMs, int status, String contentType, String node) {
  }

  private final List<ServiceProcess> processes = new CopyOnWriteArrayList<>();
  private final Map<String, Integer> memberPorts = new HashMap<>();
  private EmbeddedDatabase database;
  private String dbUrl;
  private Vertx vertx;
  private WebClient client;
  private ServiceProcess api;
  private ServiceProcess doomed;
  private ServiceProcess survivor;

  @BeforeAll
  void startCluster() throws IOException {
    long start = System.nanoTime();
    database = EmbeddedDatabase.prepare(new LoopscopeConfig.Db.Embedded("unused", true, 0));
    dbUrl = "postgresql://postgres@127.0.0.1:" + database.start().port() + "/postgres";
    for (String node : List.of("api", "worker-a", "worker-b")) {
      memberPorts.put(node, freePort());
    }
    api = launch("api", "serve", Map.of("LOOPSCOPE_LEGACY_INSTANCES", "0"));
    doomed = launch("worker-a", "worker", Map.of());
    survivor = launch("worker-b", "worker", Map.of());
    List.of(api, doomed, survivor).forEach(ServiceProcess::awaitReady);
    vertx = Vertx.vertx();
    client = WebClient.create(vertx, new WebClientOptions(), new PoolOptions().setHttp1MaxSize(64));
    System.out.printf("cluster of 3 (1 API node, 2 workers) ready %d ms after the first JVM started%n",
      TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
  }

  @AfterAll
  void stopCluster() throws IOException {
    for (ServiceProcess process : processes) {
      process.close();
    }
    if (client != null) {
      client.close();
      vertx.close().await();
    }
    if (database != null) {
      database.close();
    }
  }

  @Test
  @Order(1)
  void legacy_calls_are_served_by_both_workers_and_never_by_the_api_node() {
    List<Call> calls = IntStream.range(0, 30).mapToObj(i -> call()).toList();

    assertThat(calls).allSatisfy(call -> assertThat(call.status()).isEqualTo(200));
    assertThat(calls).extracting(Call::node).containsOnly("worker-a", "worker-b").contains("worker-a", "worker-b");
  }

  @Test
  @Order(2)
  void after_kill_9_of_a_worker_no_call_outlasts_the_timeout_failures_stop_and_a_new_worker_takes_work() throws Exception {
    doomed.kill();
    long killed = System.nanoTime();
    ServiceProcess replacement = launch("worker-a", "worker", Map.of("LOOPSCOPE_CLUSTER_NODENAME", "worker-a2"));
    List<Call> calls = callsFor(AFTER_KILL, killed);
    replacement.awaitReady();
    List<Call> afterwards = IntStream.range(0, 20).mapToObj(i -> call()).toList();

    List<Call> failed = calls.stream().filter(call -> call.status() != 200).toList();
    long lastFailureMs = failed.stream().mapToLong(Call::startMs).max().orElse(-1);
    System.out.printf("after kill -9 of a worker: %d calls in %d s, %d failed (statuses %s), the last one starting %d ms "
        + "after the kill; slowest call %d ms%n", calls.size(), AFTER_KILL.toSeconds(), failed.size(),
      failed.stream().map(Call::status).toList(), lastFailureMs, calls.stream().mapToLong(Call::durationMs).max().orElseThrow());

    assertThat(calls).hasSizeGreaterThan(100);
    assertThat(calls).allSatisfy(call -> assertThat(call.durationMs()).as("nothing hangs").isLessThanOrEqualTo(LEGACY_TIMEOUT_MS + 1_000));
    assertThat(failed).allSatisfy(call -> {
      assertThat(call.status()).isEqualTo(504);
      assertThat(call.contentType()).startsWith("application/problem+json");
    });
    assertThat(lastFailureMs).as("the last failure, ms after the kill").isLessThan(30_000);
    assertThat(calls).filteredOn(call -> call.status() == 200).extracting(Call::node).doesNotContain("worker-a");
    assertThat(afterwards).allSatisfy(call -> assertThat(call.status()).isEqualTo(200));
    assertThat(afterwards).extracting(Call::node).contains("worker-a2", "worker-b");
  }

  @Test
  @Order(3)
  void a_stall_on_the_api_node_shows_on_a_surviving_worker_with_scope_cluster_and_the_dead_node_drops_out() {
    assertThat(within(client.get(api.apiPort(), "127.0.0.1", "/bad-example?ms=300").send(), 10_000).statusCode())
      .isEqualTo(200);

    List<JsonObject> reports = await().atMost(Duration.ofSeconds(10)).until(
      () -> admin(survivor, "/diagnostics/blocked?scope=cluster&route=GET%20/bad-example").getJsonArray("reports")
        .stream().map(JsonObject.class::cast).filter(report -> !report.getBoolean("ongoing")).toList(),
      found -> !found.isEmpty());
    assertThat(reports).extracting(report -> report.getString("node")).containsOnly("api");
    assertThat(reports.get(0).getDouble("durationMs")).isGreaterThanOrEqualTo(250.0);
    assertThat(admin(survivor, "/diagnostics/blocked?route=GET%20/bad-example").getJsonArray("reports"))
      .as("scope=local: the worker's own reports only").isEmpty();
    assertThat(admin(survivor, "/diagnostics/nodes").getJsonArray("nodes").stream().map(JsonObject.class::cast)
      .map(node -> node.getString("node")).toList()).containsExactly("api", "worker-a2", "worker-b");
  }

  private ServiceProcess launch(String node, String command, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of(
      "LOOPSCOPE_CLUSTER_ENABLED", "true",
      "LOOPSCOPE_CLUSTER_NODENAME", node,
      "LOOPSCOPE_CLUSTER_HOST", "127.0.0.1",
      "LOOPSCOPE_CLUSTER_PORT", String.valueOf(memberPorts.get(node)),
      "LOOPSCOPE_CLUSTER_MEMBERS", String.join(",", memberPorts.values().stream().map(port -> "127.0.0.1:" + port).toList()),
      "LOOPSCOPE_DB_URL", dbUrl,
      "LOOPSCOPE_LEGACY_INSTANCES", "2",
      "LOOPSCOPE_LEGACY_TIMEOUTMS", String.valueOf(LEGACY_TIMEOUT_MS),
      "LOOPSCOPE_SHUTDOWN_READINESSDELAYMS", "0"));
    env.putAll(extra);
    ServiceProcess process = ServiceProcess.launch("cluster-" + env.get("LOOPSCOPE_CLUSTER_NODENAME"), JVM_FLAGS, env, command);
    processes.add(process);
    return process;
  }

  /** One call every 250 ms for {@code length}, each timed from its start; waits for the last to finish. */
  private List<Call> callsFor(Duration length, long sinceNanos) {
    List<Future<Call>> calls = new CopyOnWriteArrayList<>();
    long periodic = vertx.setPeriodic(CALL_EVERY.toMillis(), tick -> calls.add(send(sinceNanos)));
    within(vertx.timer(length.toMillis()), length.toMillis() + 10_000);
    vertx.cancelTimer(periodic);
    return within(Future.all(new ArrayList<>(calls)), LEGACY_TIMEOUT_MS + 10_000).list();
  }

  private Call call() {
    return within(send(System.nanoTime()), LEGACY_TIMEOUT_MS + 10_000);
  }

  private Future<Call> send(long sinceNanos) {
    long start = System.nanoTime();
    return client.get(api.apiPort(), "127.0.0.1", "/legacy/users/1").timeout(LEGACY_TIMEOUT_MS + 5_000).send()
      .map(response -> new Call(TimeUnit.NANOSECONDS.toMillis(start - sinceNanos),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), response.statusCode(),
        String.valueOf(response.getHeader("content-type")), nodeOf(response)));
  }

  private static String nodeOf(HttpResponse<?> response) {
    return response.statusCode() == 200 ? response.bodyAsJsonObject().getString("node") : null;
  }

  private JsonObject admin(ServiceProcess node, String path) {
    return within(client.get(node.adminPort(), "127.0.0.1", path).send(), 5_000).bodyAsJsonObject();
  }

  private static <T> T within(Future<T> future, long ms) {
    try {
      return future.await(ms, TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("no outcome within " + ms + " ms", e);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
