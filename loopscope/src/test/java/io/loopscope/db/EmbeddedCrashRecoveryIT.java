package io.loopscope.db;

import io.loopscope.testing.EmbeddedServerProcesses;
import io.loopscope.testing.PlainSql;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A crash is kill -9 of the packaged jar, with its data directory kept, as a user runs it: its embedded
 * PostgreSQL stops by itself within 10 s, the same command starts again and runs every accepted task, a
 * second service on a directory in use is refused at once, and a start killed during initdb does not
 * leave a directory that can never start.
 */
@ExtendWith(VertxExtension.class)
class EmbeddedCrashRecoveryIT {

  private static final int TASKS = 30;
  /** The first task sorts cpu.maxItems numbers, long enough for the other 29 to wait behind it (one task at a time). */
  private static final int BIG = 1_000_000;
  private static final int SMALL = 1_000;
  private static final int LEASE_SECONDS = 5;

  @TempDir
  Path temp;
  private final List<ServiceProcess> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    for (ServiceProcess service : started) {
      service.close();
    }
    EmbeddedServerProcesses.stopLeftover(dataDir());
  }

  private Path dataDir() {
    return temp.resolve("pg");
  }

  private Map<String, String> env() {
    Map<String, String> env = new HashMap<>(ServiceProcess.keptDataDir(dataDir()));
    env.put("LOOPSCOPE_TASKS_CONCURRENCY", "1");
    env.put("LOOPSCOPE_TASKS_LEASESECONDS", String.valueOf(LEASE_SECONDS));
    env.put("LOOPSCOPE_TASKS_MAXBODYBYTES", String.valueOf(16 * 1024 * 1024));
    return env;
  }

  private ServiceProcess start(String name) {
    ServiceProcess service = ServiceProcess.launch(name, env());
    started.add(service);
    service.awaitReady();
    return service;
  }

  private ServiceProcess launch(String name) {
    ServiceProcess service = ServiceProcess.launch(name, env());
    started.add(service);
    return service;
  }

  @Test
  void after_kill_9_with_tasks_queued_and_running_the_server_stops_and_a_restart_runs_every_task_once(Vertx vertx)
    throws Exception {
    ServiceProcess first = start("crash-first");
    WebClient api = first.apiClient(vertx);
    Map<Long, Integer> sizes = new HashMap<>();
    sizes.put(submit(api, BIG), BIG);
    // ten at a time: submissions queue up behind one lock, and many at once could outwait db.timeoutMs
    for (int batch = 0; batch < (TASKS - 1 + 9) / 10; batch++) {
      List<Future<Long>> submitted = new ArrayList<>();
      for (int i = batch * 10; i < Math.min(TASKS - 1, batch * 10 + 10); i++) {
        submitted.add(api.post("/tasks").putHeader("content-type", "application/json").sendBuffer(sortTask(SMALL))
          .map(EmbeddedCrashRecoveryIT::acceptedId));
      }
      Future.all(submitted).await(60, TimeUnit.SECONDS).<Long>list().forEach(id -> sizes.put(id, SMALL));
    }
    List<Long> ids = sizes.keySet().stream().sorted().toList();
    ConnectionSettings firstDb = ConnectionSettings.parse("db.url", first.embeddedPostgres().url());
    List<Long> running = pauseWhileATaskRuns(first, firstDb);
    List<Long> queued = idsInState(firstDb, "queued");
    assertThat(running).as("tasks running at the kill (%d done, %d queued)", idsInState(firstDb, "done").size(), queued.size())
      .isNotEmpty();
    assertThat(queued).as("tasks waiting at the kill").isNotEmpty();
    ProcessHandle postmaster = EmbeddedServerProcesses.postmaster(dataDir()).orElseThrow();

    long kill = System.nanoTime();
    first.kill();
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> !postmaster.isAlive());
    long orphanGoneMs = msSince(kill);

    long restart = System.nanoTime();
    ServiceProcess second = start("crash-restart");
    long readyMs = msSince(restart);
    ConnectionSettings secondDb = ConnectionSettings.parse("db.url", second.embeddedPostgres().url());
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250))
      .until(() -> idsInState(secondDb, "done").size() == TASKS);
    long allDoneMs = msSince(restart);

    System.out.printf("crash recovery: %d sort tasks (one of %d numbers, then of %d), %d running and %d queued at the kill; "
        + "postgres gone %d ms after kill -9; restart ready after %d ms; all done %d ms after the restart%n",
      TASKS, BIG, SMALL, running.size(), queued.size(), orphanGoneMs, readyMs, allDoneMs);

    assertThat(readyMs).as("restart until ready (ms)").isLessThan(20_000);
    List<Map<String, Object>> tasks = PlainSql.query(secondDb,
      "SELECT id, state, attempts, jsonb_array_length(result -> 'processed') AS numbers FROM tasks ORDER BY id");
    assertThat(tasks).hasSize(TASKS).allSatisfy(task -> {
      long id = ((Number) task.get("id")).longValue();
      assertThat(task.get("state")).as("task " + id).isEqualTo("done");
      assertThat(task.get("numbers")).as("task " + id + "'s one result").isEqualTo(sizes.get(id));
      assertThat(task.get("attempts")).as("task " + id + " (interrupted: " + running.contains(id) + ")")
        .isEqualTo(running.contains(id) ? 2 : 1);
    });
    assertThat(tasks).extracting(task -> ((Number) task.get("id")).longValue()).containsExactlyElementsOf(ids);
  }

  /** The watcher killed too (kill -9 of the whole process group would do it): the next start finds the orphan and stops it. */
  @Test
  void a_server_left_running_by_a_dead_service_is_stopped_at_the_next_start_and_its_data_kept(Vertx vertx) throws Exception {
    ServiceProcess first = start("orphan-first");
    long taskId = first.apiClient(vertx).post("/tasks").sendJsonObject(new JsonObject().put("kind", "sort")
      .put("data", new JsonArray(List.of(2, 1)))).await(30, TimeUnit.SECONDS).bodyAsJsonObject().getLong("id");
    ProcessHandle postmaster = EmbeddedServerProcesses.postmaster(dataDir()).orElseThrow();
    ProcessHandle watcher = ProcessHandle.of(first.pid()).orElseThrow().children()
      .filter(child -> child.info().commandLine().orElse("").contains("read -r")).findFirst().orElseThrow();
    watcher.destroyForcibly();
    first.kill();
    first.awaitExit(Duration.ofSeconds(10));
    assertThat(postmaster.isAlive()).as("the server outlived its service and its watcher").isTrue();

    long restart = System.nanoTime();
    ServiceProcess second = start("orphan-restart");
    long readyMs = msSince(restart);
    System.out.printf("start over a server left running: ready after %d ms%n", readyMs);
    assertThat(second.lines()).anyMatch(line -> line.contains("PID " + postmaster.pid() + ") left by a loopscope that is gone"));
    assertThat(postmaster.isAlive()).isFalse();
    assertThat(second.apiClient(vertx).get("/tasks/" + taskId).send().await(10, TimeUnit.SECONDS).statusCode())
      .as("the task the dead service accepted").isEqualTo(200);
  }

  @Test
  void a_second_service_on_a_data_directory_in_use_exits_1_at_once_naming_the_owner(Vertx vertx) throws Exception {
    ServiceProcess owner = start("dir-owner");
    long start = System.nanoTime();
    ServiceProcess second = launch("dir-second");
    int exitCode = second.awaitExit(Duration.ofSeconds(10));
    long refusedMs = msSince(start);
    System.out.printf("second start on a data directory in use: exit %d after %d ms: %s%n", exitCode, refusedMs,
      second.stderrLines());

    assertThat(exitCode).isEqualTo(1);
    assertThat(second.stderrLines()).singleElement().asString()
      .startsWith("loopscope: cannot start: db.embedded.dataDir: ")
      .contains(dataDir().toString())
      .contains("PID " + owner.pid());
    assertThat(owner.apiClient(vertx).get("/tasks?limit=1").send().await(10, TimeUnit.SECONDS).statusCode())
      .as("the owner keeps serving").isEqualTo(200);
  }

  @Test
  void a_start_killed_during_the_first_initdb_is_followed_by_one_that_initialises_again() throws Exception {
    ServiceProcess first = launch("initdb-killed");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
      .failFast("the service exited before initdb ran", () -> !first.alive())
      // killed once initdb has written into the directory: killed before that, it is merely empty (a plain first start)
      .until(() -> initdbRunning() && written(dataDir()));
    first.kill();
    first.awaitExit(Duration.ofSeconds(10));

    long restart = System.nanoTime();
    ServiceProcess again = launch("initdb-again");
    again.awaitReady();
    long readyMs = msSince(restart);
    System.out.printf("start after a kill during initdb: ready after %d ms%n", readyMs);
    assertThat(again.lines()).anyMatch(line -> line.contains("half-initialised"));
    assertThat(again.lines()).anyMatch(line -> line.contains("schema version 3"));
  }

  private static boolean written(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (var entries = Files.list(dir)) {
      return entries.findAny().isPresent();
    }
  }

  private boolean initdbRunning() {
    return ProcessHandle.allProcesses().anyMatch(process -> process.info().commandLine()
      .filter(line -> line.contains("initdb") && line.contains(dataDir().toString())).isPresent());
  }

  private static long submit(WebClient api, int numbers) throws Exception {
    return acceptedId(api.post("/tasks").putHeader("content-type", "application/json").sendBuffer(sortTask(numbers))
      .await(60, TimeUnit.SECONDS));
  }

  private static long acceptedId(HttpResponse<Buffer> accepted) {
    assertThat(accepted.statusCode()).isEqualTo(202);
    return accepted.bodyAsJsonObject().getLong("id");
  }

  private static Buffer sortTask(int numbers) {
    return new JsonObject().put("kind", "sort")
      .put("data", new JsonArray(IntStream.range(0, numbers).map(i -> (i * 7919) % 100_003 - 50_000).boxed().toList()))
      .toBuffer();
  }

  private static List<Long> idsInState(ConnectionSettings db, String state) {
    return PlainSql.query(db, "SELECT id FROM tasks WHERE state = ? ORDER BY id", state).stream()
      .map(row -> ((Number) row.get("id")).longValue()).toList();
  }

  /**
   * Pins the service (SIGSTOP) at a moment when a task runs and others wait, so that what the database says is
   * what the kill interrupts; a pause that lands between one task's end and the next claim is undone and tried again.
   */
  private static List<Long> pauseWhileATaskRuns(ServiceProcess service, ConnectionSettings db) {
    AtomicReference<List<Long>> running = new AtomicReference<>(List.of());
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
      service.pause();
      running.set(stableIdsInState(db, "running"));
      boolean interrupts = !running.get().isEmpty() && !idsInState(db, "queued").isEmpty();
      if (!interrupts) {
        service.resume();
      }
      return interrupts;
    });
    return running.get();
  }

  /** Statements the paused process sent just before the pause may still land: read until two reads agree. */
  private static List<Long> stableIdsInState(ConnectionSettings db, String state) {
    AtomicReference<List<Long>> previous = new AtomicReference<>(List.of(-1L));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300))
      .until(() -> previous.getAndSet(idsInState(db, state)).equals(previous.get()));
    return previous.get();
  }

  private static long msSince(long startNanos) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
  }
}
