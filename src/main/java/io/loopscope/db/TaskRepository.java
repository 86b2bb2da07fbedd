package io.loopscope.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/** The {@code tasks} table: submit, read, list, and the runner's claim / renew / finish / requeue. */
public final class TaskRepository {

  /** A task a runner has claimed: {@code attempt} identifies this claim when the task is finished. */
  public record Claimed(long id, String kind, String input, int attempt) {
  }

  private final Database database;

  public TaskRepository(Database database) {
    this.database = database;
  }

  /** Queues a task; empty when {@code maxQueued} tasks are already waiting. */
  public Future<Optional<JsonObject>> submit(String kind, String inputJson, int maxQueued) {
    return database.run(pool -> pool.withTransaction(conn -> conn.query(SqlQueries.LOCK_TASK_QUEUE).execute()
      .compose(locked -> conn.preparedQuery(SqlQueries.INSERT_TASK).execute(Tuple.of(kind, inputJson, maxQueued)))
      .map(rows -> SqlQueries.firstRow(rows).map(SqlQueries::task))));
  }

  public Future<Optional<JsonObject>> find(long id) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.TASK_BY_ID).execute(Tuple.of(id))
      .map(rows -> SqlQueries.firstRow(rows).map(SqlQueries::task)));
  }

  /** Tasks with ids below {@code before}, newest first; {@code state} empty means any state. */
  public Future<JsonArray> list(String state, long before, int limit) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.LIST_TASKS).execute(Tuple.of(state, before, limit))
      .map(TaskRepository::toArray));
  }

  public Future<List<Claimed>> claim(int max, int leaseSeconds) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.CLAIM_TASKS).execute(Tuple.of(max, (double) leaseSeconds))
      .map(rows -> {
        List<Claimed> claimed = new ArrayList<>();
        rows.forEach(row -> claimed.add(new Claimed(row.getLong("id"), row.getString("kind"), row.getString("input"),
          row.getInteger("attempts"))));
        return claimed;
      }));
  }

  public Future<Void> renewLeases(Collection<Long> ids, int leaseSeconds) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.RENEW_LEASES)
      .execute(Tuple.of(ids.toArray(Long[]::new), (double) leaseSeconds)).mapEmpty());
  }

  /**
   * Records the outcome of one claim; false when the claim is no longer the task's (another attempt took it).
   *
   * @param state done or failed
   * @param resultJson the result as JSON text, or null
   * @param errorJson the error as JSON text, or null
   */
  public Future<Boolean> finish(Claimed task, String state, String resultJson, String errorJson) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.FINISH_TASK)
      .execute(Tuple.of(task.id(), task.attempt(), state, resultJson, errorJson))
      .map(rows -> rows.rowCount() == 1));
  }

  /** Puts tasks this process was running back in the queue (a graceful stop), so the next start runs them at once. */
  public Future<Void> requeue(Collection<Long> ids) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.REQUEUE_TASKS).execute(Tuple.of((Object) ids.toArray(Long[]::new)))
      .mapEmpty());
  }

  private static JsonArray toArray(RowSet<Row> rows) {
    JsonArray tasks = new JsonArray();
    rows.forEach(row -> tasks.add(SqlQueries.task(row)));
    return tasks;
  }
}
