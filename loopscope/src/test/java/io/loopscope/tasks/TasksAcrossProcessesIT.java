package io.loopscope.tasks;

import java.util.HashMap;
import io.loopscope.db.ConnectionSettings;
import io.loopscope.testing.PlainSql;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Exactly once across processes: two services on one PostgreSQL (the second's db.url is the first's
 * embedded server), 200 tasks submitted half to each, the second killed -9 mid-way. The survivor takes over
 * the dead one's tasks when their lease runs out; the table shows every task done, with one result, by one
 * attempt, except those the kill interrupted: those ran again from the start, and only that second
 * attempt's result was written (the first one's is fenced off by the attempt number).
 */
@ExtendWith(VertxExtension.class)
class TasksAcrossProcessesIT {

  private static final int TASKS = 200;
  private static final int CONCURRENCY = 8;
  /** Renewed every 2 s: long enough that a loaded machine's stalls do not pass for a dead runner. */
  private static final int LEASE_SECONDS = 6;
  private static final int TASK_MS = 500;
  private static final int SUBMIT_BATCH = 10;

  private final List<ServiceProcess> started = new ArrayList<>();

  @AfterEach
  void stopEverything() throws Exception {
    // the killed one first; the owner of the database last
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
  }

  private ServiceProcess start(String name, Map<String, String> extra) {
    Map<String, String> env = new HashMap<>(Map.of(
      "LOOPSCOPE_TASKS_CONCURRENCY", String.valueOf(CONCURRENCY),
      "LOOPSCOPE_TASKS_LEASESECONDS", String.valueOf(LEASE_SECONDS)));
    env.putAll(extra);
    ServiceProcess service = ServiceProcess.launch(name, env);
    started.add(service);
    service.awaitReady();
    return service;
  }

  @Test
  void two_services_on_one_database_run_every_task_exactly_once_when_one_is_killed_mid_way(Vertx vertx) throws Exception {
    ServiceProcess survivor = start("shared-db-owner", Map.of());
    String url = survivor.embeddedPostgres().url();
    ServiceProcess victim = start("shared-db-victim", Map.of("LOOPSCOPE_DB_URL", url));
    ConnectionSettings db = ConnectionSettings.parse("db.url", url);

    WebClient toSurvivor = survivor.apiClient(vertx);
    WebClient toVictim = victim.apiClient(vertx);
    // a few at a time: submissions queue up behind one lock, and hundreds at once would outwait db.timeoutMs
    Set<Long> ids = new HashSet<>();
    for (int batch = 0; batch < TASKS / SUBMIT_BATCH; batch++) {
      List<Future<Long>> submitted = new ArrayList<>();
      for (int i = 0; i < SUBMIT_BATCH; i++) {
        submitted.add((i % 2 == 0 ? toSurvivor : toVictim).post("/tasks")
          .sendJsonObject(new JsonObject().put("kind", "fetch").put("n", 1).put("ms", TASK_MS))
          .map(accepted -> {
            assertThat(accepted.statusCode()).isEqualTo(202);
            return accepted.bodyAsJsonObject().getLong("id");
          }));
      }
      ids.addAll(Future.all(submitted).await(30, TimeUnit.SECONDS).<Long>list());
    }
    assertThat(ids).hasSize(TASKS);

    String victimRunner = victim.pid() + "@";
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
      .until(() -> count(db, "state = 'done' AND claimed_by LIKE ?", victimRunner + "%") >= 10
        && count(db, "state = 'running' AND claimed_by LIKE ?", victimRunner + "%") > 0);
    victim.pause();
    List<Long> interrupted = stableRunningOf(db, victimRunner);
    assertThat(interrupted).as("tasks the victim was running at the kill").isNotEmpty();
    long kill = System.nanoTime();
    victim.kill();
    victim.awaitExit(Duration.ofSeconds(10));

    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
      .until(() -> count(db, "state = 'done'") == TASKS);
    long takeOverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - kill);

    List<Map<String, Object>> tasks = PlainSql.query(db,
      "SELECT id, state, attempts, claimed_by, (result ->> 'count')::int AS posts FROM tasks ORDER BY id");
    Map<String, Long> byRunner = tasks.stream().collect(Collectors.groupingBy(
      task -> String.valueOf(task.get("claimed_by")).startsWith(victimRunner) ? "victim" : "survivor", Collectors.counting()));
    System.out.printf("two services, one database: %d tasks of %d ms, %d interrupted by kill -9, all done %d ms after it;"
      + " results written by %s%n", TASKS, TASK_MS, interrupted.size(), takeOverMs, byRunner);

    assertThat(tasks).extracting(task -> ((Number) task.get("id")).longValue()).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(tasks).allSatisfy(task -> {
      long id = ((Number) task.get("id")).longValue();
      assertThat(task.get("state")).as("task " + id).isEqualTo("done");
      assertThat(task.get("posts")).as("task " + id + "'s one result").isEqualTo(1);
      if (interrupted.contains(id)) {
        assertThat(task.get("attempts")).as("interrupted task " + id + " ran again").isEqualTo(2);
        assertThat(String.valueOf(task.get("claimed_by"))).as("by the survivor").doesNotStartWith(victimRunner);
      } else {
        assertThat(task.get("attempts")).as("task " + id + " ran once").isEqualTo(1);
      }
    });
    assertThat(byRunner).as("both services ran tasks").containsKeys("victim", "survivor");
  }

  /**
   * The fence itself: a runner that stalls past its lease (SIGSTOP here; a long GC pause or a frozen VM in
   * life) finds, when it wakes, that another attempt took its tasks over and finished them; its own late
   * results are dropped, and the rows keep the survivor's.
   */
  @Test
  void a_service_that_stalls_past_its_lease_cannot_overwrite_the_attempt_that_took_its_tasks_over(Vertx vertx)
    throws Exception {
    ServiceProcess survivor = start("stall-owner", Map.of());
    String url = survivor.embeddedPostgres().url();
    ServiceProcess staller = start("stall-victim", Map.of("LOOPSCOPE_DB_URL", url));
    ConnectionSettings db = ConnectionSettings.parse("db.url", url);
    WebClient toStaller = staller.apiClient(vertx);
    List<Future<?>> submitted = new ArrayList<>();
    for (int i = 0; i < SUBMIT_BATCH; i++) {
      submitted.add(toStaller.post("/tasks").sendJsonObject(new JsonObject().put("kind", "fetch").put("n", 1).put("ms", 1_000)));
    }
    Future.all(submitted).await(30, TimeUnit.SECONDS);

    String stallerRunner = staller.pid() + "@";
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
      .until(() -> count(db, "state = 'running' AND claimed_by LIKE ?", stallerRunner + "%") > 0);
    staller.pause();
    List<Long> stalled = stableRunningOf(db, stallerRunner);
    try {
      // woken while the survivor's attempts may still run: only the attempt number keeps the staller out then
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .until(() -> count(db, "attempts = 2 AND id = ANY(?)", (Object) stalled.toArray(Long[]::new)) == stalled.size());
    } finally {
      staller.resume();
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> dropped(staller) == stalled.size());
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
      .until(() -> count(db, "state = 'done'") == SUBMIT_BATCH);

    System.out.printf("stalled past its lease: %d tasks taken over; %d late results dropped%n", stalled.size(), dropped(staller));
    assertThat(finishedRows(db, stalled)).hasSize(stalled.size()).allSatisfy(row -> {
      assertThat(row.get("state")).isEqualTo("done");
      assertThat(row.get("attempts")).isEqualTo(2);
      assertThat(String.valueOf(row.get("claimed_by"))).as("the result is the survivor's").doesNotStartWith(stallerRunner);
    });
    assertThat(dropped(survivor)).as("the survivor's results were all written").isZero();
  }

  private static long dropped(ServiceProcess service) {
    return service.lines().stream().filter(line -> line.contains("result is dropped")).count();
  }

  private static List<Map<String, Object>> finishedRows(ConnectionSettings db, List<Long> ids) {
    return PlainSql.query(db, "SELECT id, state, attempts, claimed_by FROM tasks"
      + " WHERE id = ANY(?) ORDER BY id", (Object) ids.toArray(Long[]::new));
  }

  private static long count(ConnectionSettings db, String where, Object... args) {
    return ((Number) PlainSql.query(db, "SELECT count(*) AS n FROM tasks WHERE " + where, args).get(0).get("n")).longValue();
  }

  /** What the paused process had claimed; a statement it sent just before the pause may still land, so read until two reads agree. */
  private static List<Long> stableRunningOf(ConnectionSettings db, String runner) {
    AtomicReference<List<Long>> previous = new AtomicReference<>(List.of(-1L));
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> previous.getAndSet(
      PlainSql.query(db, "SELECT id FROM tasks WHERE state = 'running' AND claimed_by LIKE ? ORDER BY id", runner + "%")
        .stream().map(row -> ((Number) row.get("id")).longValue()).toList()).equals(previous.get()));
    return previous.get();
  }
}
