package io.loopscope.tasks;

import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenarios over whole service lifetimes, told in order on the test thread: the queue bound, and
 * tasks that outlive the process that accepted them.
 */
@ExtendWith(VertxExtension.class)
class TaskRunnerTest {

  private static final JsonObject SLOW_FETCH = new JsonObject().put("kind", "fetch").put("n", 1).put("ms", 3_000);
  private static final JsonObject SORT = new JsonObject().put("kind", "sort").put("data", new JsonArray(List.of(4, -3, 1)));

  @Test
  void more_waiting_tasks_than_max_queued_get_503_with_retry_after(Vertx vertx) throws Exception {
    try (TestService service = TestService.start(Map.of("tasks.maxQueued", 3, "tasks.concurrency", 1, "cpu.maxItems", 10))) {
      WebClient client = service.apiClient(vertx);
      String busy = post(client, SLOW_FETCH).getHeader("location");
      awaitState(client, busy, "running");
      for (int i = 0; i < 3; i++) {
        assertThat(post(client, SORT).statusCode()).as("queued task " + (i + 1)).isEqualTo(202);
      }

      HttpResponse<Buffer> refused = post(client, SORT);

      assertThat(refused.statusCode()).isEqualTo(503);
      assertThat(refused.bodyAsJsonObject().getString("type")).endsWith(":saturated");
      assertThat(refused.getHeader("retry-after")).isEqualTo("1");
      HttpResponse<Buffer> tooMany = post(client, new JsonObject().put("kind", "sort")
        .put("data", new JsonArray(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))));
      assertThat(tooMany.statusCode()).as("more numbers than cpu.maxItems").isEqualTo(413);
      client.close();
    }
  }

  /**
   * A task running and a task queued when Vert.x closes are both completed by the next start on the same
   * data directory: the running one went back to the queue at the graceful stop and runs again.
   */
  @Test
  void tasks_accepted_before_a_restart_are_completed_after_it(Vertx vertx, @TempDir Path dataDir) throws Exception {
    Map<String, Object> sameDataDir = Map.of("db.embedded.ephemeral", false, "db.embedded.dataDir", dataDir.toString(),
      "tasks.concurrency", 1);
    String running;
    String queued;
    try (TestService first = TestService.start(sameDataDir)) {
      WebClient client = first.apiClient(vertx);
      running = post(client, SLOW_FETCH).getHeader("location");
      awaitState(client, running, "running");
      queued = post(client, SORT).getHeader("location");
      assertThat(get(client, queued).getString("state")).isEqualTo("queued");
      client.close();
    }

    try (TestService second = TestService.start(sameDataDir)) {
      WebClient client = second.apiClient(vertx);
      JsonObject ranAgain = awaitState(client, running, "done");
      JsonObject sorted = awaitState(client, queued, "done");

      assertThat(ranAgain.getInteger("attempts")).isEqualTo(2);
      assertThat(ranAgain.getJsonObject("result").getInteger("count")).isEqualTo(1);
      assertThat(sorted.getInteger("attempts")).isEqualTo(1);
      assertThat(sorted.getJsonObject("result").getJsonArray("processed")).isEqualTo(new JsonArray(List.of(1, -3, 4)));
      client.close();
    }
  }

  private static HttpResponse<Buffer> post(WebClient client, JsonObject task) throws Exception {
    return client.post("/tasks").sendJsonObject(task).await(30, TimeUnit.SECONDS);
  }

  private static JsonObject get(WebClient client, String location) throws Exception {
    return client.get(location).send().await(30, TimeUnit.SECONDS).bodyAsJsonObject();
  }

  private static JsonObject awaitState(WebClient client, String location, String state) {
    return await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
      .until(() -> get(client, location), task -> state.equals(task.getString("state")));
  }
}
