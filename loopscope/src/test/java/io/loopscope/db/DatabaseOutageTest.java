package io.loopscope.db;

import io.loopscope.http.Problem;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The embedded PostgreSQL is really stopped under a running service, then started again on the same
 * port and data directory. A scenario told in order on the test thread, waiting with Awaitility.
 */
@ExtendWith(VertxExtension.class)
class DatabaseOutageTest {

  private static final int DB_TIMEOUT_MS = 2_000;
  private static final int LEGACY_TIMEOUT_MS = 3_000;

  private record Call(String name, Function<WebClient, Future<HttpResponse<Buffer>>> send) {
  }

  private static final List<Call> DATABASE_CALLS = List.of(
    new Call("overview", client -> client.get("/users/1/overview").send()),
    new Call("legacy", client -> client.get("/legacy/users/1").send()),
    new Call("submit task", client -> client.post("/tasks").sendJsonObject(new JsonObject()
      .put("kind", "sort").put("data", List.of(3, 1, 2)))),
    new Call("list tasks", client -> client.get("/tasks").send()),
    new Call("get task", client -> client.get("/tasks/1").send()));

  private static TestService service;
  private WebClient api;
  private WebClient admin;

  @BeforeAll
  static void startService() {
    service = TestService.start(Map.of("db.timeoutMs", DB_TIMEOUT_MS, "legacy.timeoutMs", LEGACY_TIMEOUT_MS));
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  @BeforeEach
  void connect(Vertx vertx) {
    api = service.apiClient(vertx);
    admin = service.adminClient(vertx);
  }

  @AfterEach
  void close() {
    api.close();
    admin.close();
  }

  @Test
  void endpoints_answer_503_within_the_timeout_and_readiness_is_down_until_the_database_is_back() throws Exception {
    EmbeddedDatabase embedded = service.service().main().database().embedded().orElseThrow();
    int port = embedded.port();
    Path dataDir = embedded.dataDir();
    assertServedByTheDatabase();

    embedded.stop();

    for (Call call : DATABASE_CALLS) {
      HttpResponse<Buffer> response = assertAnswersWithin(call, 503, DB_TIMEOUT_MS + 1_000);
      assertThat(response.bodyAsJsonObject().getString("type")).as(call.name()).endsWith(":database-unavailable");
      assertThat(response.getHeader("retry-after")).as(call.name()).isNotBlank();
    }
    HttpResponse<Buffer> readiness = admin.get("/health/ready").send().await(30, TimeUnit.SECONDS);
    assertThat(readiness.statusCode()).isEqualTo(503);
    JsonObject dbCheck = check(readiness, "db");
    assertThat(dbCheck.getString("status")).isEqualTo("DOWN");
    assertThat(dbCheck.getJsonObject("data").getString("reason")).isNotBlank();
    assertThat(api.get("/test/async?ms=0").send().await(30, TimeUnit.SECONDS).statusCode())
      .as("endpoints without the database still answer").isEqualTo(200);

    embedded.start();

    assertThat(embedded.port()).isEqualTo(port);
    assertThat(embedded.dataDir()).isEqualTo(dataDir);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertServedByTheDatabase();
      assertThat(admin.get("/health/ready").send().await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    });
    long taskId = api.post("/tasks").sendJsonObject(new JsonObject().put("kind", "sort").put("data", List.of(2, -1)))
      .await(30, TimeUnit.SECONDS).bodyAsJsonObject().getLong("id");
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
      api.get("/tasks/" + taskId).send().await(30, TimeUnit.SECONDS).bodyAsJsonObject().getString("state"))
      .as("the task runner works again").isEqualTo("done"));
  }

  /**
   * A hung server (its processes paused with SIGSTOP) refuses nothing and answers nothing: the reactive
   * endpoints give up after db.timeoutMs, the legacy path after legacy.timeoutMs, readiness within a second.
   */
  @Test
  void a_hung_database_gets_503_after_the_timeout_and_everything_resumes_with_it() throws Exception {
    EmbeddedDatabase embedded = service.service().main().database().embedded().orElseThrow();
    assertServedByTheDatabase();
    List<Long> pids = serverPids(embedded);

    signal("-STOP", pids);
    try {
      assertAnswersWithin(DATABASE_CALLS.get(0), 503, DB_TIMEOUT_MS + 1_000);
      assertAnswersWithin(DATABASE_CALLS.get(3), 503, DB_TIMEOUT_MS + 1_000);
      // 504 from a worker whose connection hangs, 503 from one that cannot open a connection within db.timeoutMs
      assertAnswersWithin(DATABASE_CALLS.get(1), List.of(503, 504), LEGACY_TIMEOUT_MS + 1_000);
      long start = System.nanoTime();
      HttpResponse<Buffer> readiness = admin.get("/health/ready").send().await(30, TimeUnit.SECONDS);
      assertThat(readiness.statusCode()).isEqualTo(503);
      assertThat(check(readiness, "db").getJsonObject("data").getString("reason")).isNotBlank();
      assertThat((System.nanoTime() - start) / 1_000_000).as("readiness answers within a probe's 1 s").isLessThan(1_000);
    } finally {
      signal("-CONT", pids);
    }

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      assertServedByTheDatabase();
      assertThat(admin.get("/health/ready").send().await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    });
  }

  private HttpResponse<Buffer> assertAnswersWithin(Call call, int status, long maxMs) throws Exception {
    return assertAnswersWithin(call, List.of(status), maxMs);
  }

  private HttpResponse<Buffer> assertAnswersWithin(Call call, List<Integer> statuses, long maxMs) throws Exception {
    long start = System.nanoTime();
    HttpResponse<Buffer> response = call.send().apply(api).await(30, TimeUnit.SECONDS);
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(response.statusCode()).as(call.name()).isIn(statuses);
    assertThat(response.getHeader("content-type")).as(call.name()).isEqualTo(Problem.MEDIA_TYPE);
    assertThat(ms).as(call.name() + " answered in ms").isLessThan(maxMs);
    return response;
  }

  /** The postmaster and its sessions: processes this test's service started. */
  private static List<Long> serverPids(EmbeddedDatabase embedded) throws Exception {
    ProcessHandle postmaster = embedded.process().orElseThrow();
    return Stream.concat(Stream.of(postmaster), postmaster.descendants())
      .map(ProcessHandle::pid).toList();
  }

  private static void signal(String signal, List<Long> pids) throws Exception {
    List<String> command = new ArrayList<>(List.of("kill", signal));
    pids.forEach(pid -> command.add(String.valueOf(pid)));
    Process kill = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(kill.getInputStream().readAllBytes());
    assertThat(kill.waitFor()).as(command + ": " + output).isZero();
  }

  private void assertServedByTheDatabase() throws Exception {
    for (Call call : DATABASE_CALLS) {
      assertThat(call.send().apply(api).await(30, TimeUnit.SECONDS).statusCode()).as(call.name()).isIn(200, 202, 404);
    }
    assertThat(api.get("/users/1/overview").send().await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
    assertThat(api.get("/legacy/users/1").send().await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  private static JsonObject check(HttpResponse<Buffer> readiness, String id) {
    return readiness.bodyAsJsonObject().getJsonArray("checks").stream()
      .map(JsonObject.class::cast).filter(c -> id.equals(c.getString("id"))).findFirst().orElseThrow();
  }
}
