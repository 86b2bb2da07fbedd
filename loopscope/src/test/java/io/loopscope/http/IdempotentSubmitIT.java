package io.loopscope.http;

import io.loopscope.db.DatabaseFailures;
import io.loopscope.db.ConnectionSettings;
import io.loopscope.testing.EmbeddedServerProcesses;
import io.loopscope.testing.PlainSql;
import io.loopscope.testing.ServiceProcess;
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

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A 503 never hides a write. With every postgres process of the service's data directory stopped (SIGSTOP),
 * POST /tasks answers 503 after db.timeoutMs, saying nothing was written; after the thaw that first insert
 * does not commit after all, and a client that retries as told, with its Idempotency-Key, gets one task,
 * the same id on every further retry.
 */
@ExtendWith(VertxExtension.class)
class IdempotentSubmitIT {

  private static final int DB_TIMEOUT_MS = 1_500;

  private ServiceProcess service;

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void a_503_from_a_frozen_database_wrote_nothing_and_the_retry_with_the_same_key_creates_the_one_task(Vertx vertx)
    throws Exception {
    service = ServiceProcess.start("idempotent-submit", Map.of("LOOPSCOPE_DB_TIMEOUTMS", String.valueOf(DB_TIMEOUT_MS)));
    WebClient api = service.apiClient(vertx);
    Path dataDir = service.embeddedPostgres().dataDir();
    ConnectionSettings db = ConnectionSettings.parse("db.url", service.embeddedPostgres().url());
    String key = UUID.randomUUID().toString();
    JsonObject task = new JsonObject().put("kind", "sort").put("data", new JsonArray(List.of(3, 1, 2)));

    HttpResponse<Buffer> keyed;
    HttpResponse<Buffer> unkeyed;
    long keyedMs;
    List<Long> frozen = EmbeddedServerProcesses.freeze(dataDir);
    try {
      long start = System.nanoTime();
      keyed = api.post("/tasks").putHeader("Idempotency-Key", key).sendJsonObject(task).await(30, TimeUnit.SECONDS);
      keyedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      unkeyed = api.post("/tasks").sendJsonObject(task).await(30, TimeUnit.SECONDS);
    } finally {
      EmbeddedServerProcesses.thaw(frozen);
    }
    System.out.printf("frozen database: POST /tasks -> %d after %d ms: %s%n", keyed.statusCode(), keyedMs,
      keyed.bodyAsJsonObject().getString("detail"));
    assertThat(keyed.statusCode()).isEqualTo(503);
    assertThat(keyedMs).isGreaterThanOrEqualTo(DB_TIMEOUT_MS).isLessThan(DB_TIMEOUT_MS + 2_000);
    assertThat(keyed.bodyAsJsonObject().getString("detail")).isEqualTo(DatabaseFailures.NOT_WRITTEN_DETAIL);
    assertThat(unkeyed.statusCode()).isEqualTo(503);
    assertThat(unkeyed.bodyAsJsonObject().getString("detail")).isEqualTo(DatabaseFailures.NOT_WRITTEN_DETAIL);

    HttpResponse<Buffer> retry = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
      .until(() -> api.post("/tasks").putHeader("Idempotency-Key", key).sendJsonObject(task).await(30, TimeUnit.SECONDS),
        response -> response.statusCode() != 503);
    assertThat(retry.statusCode()).isEqualTo(202);
    long id = retry.bodyAsJsonObject().getLong("id");
    HttpResponse<Buffer> again = api.post("/tasks").putHeader("Idempotency-Key", key).sendJsonObject(task)
      .await(30, TimeUnit.SECONDS);
    assertThat(again.statusCode()).isEqualTo(202);
    assertThat(again.getHeader("Idempotent-Replayed")).isEqualTo("true");
    assertThat(again.bodyAsJsonObject().getLong("id")).as("the retry answers with the task's id").isEqualTo(id);

    await().atMost(Duration.ofSeconds(30)).until(() -> "done".equals(
      PlainSql.query(db, "SELECT state FROM tasks WHERE id = ?", id).get(0).get("state")));
    assertThat(PlainSql.query(db, "SELECT count(*) AS n FROM tasks WHERE idempotency_key = ?", key).get(0).get("n"))
      .as("tasks with that key").isEqualTo(1L);
    assertThat(PlainSql.query(db, "SELECT count(*) AS n FROM tasks").get(0).get("n"))
      .as("tasks at all: neither 503'd insert committed after the thaw").isEqualTo(1L);
  }
}
