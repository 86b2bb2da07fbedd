package io.loopscope.db;

import io.loopscope.failures.IdempotencyKeyReused;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
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

  /** A queued task; {@code replayed} when an earlier request with the same Idempotency-Key had created it. */
  public record Submitted(JsonObject task, boolean replayed) {
  }

  /**
   * Queues a task; empty when {@code maxQueued} tasks are already waiting. With an {@code idempotencyKey}
   * (null for none) the task that key created is returned instead of a new one, or, when that was another
   * task, an {@link IdempotencyKeyReused}. The queue lock serialises submissions, so two requests with one key
   * cannot both insert.
   */
  public Future<Optional<Submitted>> submit(String kind, String inputJson, int maxQueued, String idempotencyKey) {
    return database.write(conn -> conn.query(SqlQueries.LOCK_TASK_QUEUE).execute()
      .compose(locked -> earlier(conn, kind, inputJson, idempotencyKey))
      .compose(earlier -> earlier.isPresent()
        ? Future.succeededFuture(earlier)
        : conn.preparedQuery(SqlQueries.INSERT_TASK).execute(Tuple.of(kind, inputJson, maxQueued, idempotencyKey))
          .map(rows -> SqlQueries.firstRow(rows).map(row -> new Submitted(SqlQueries.task(row), false)))));
  }

  private static Future<Optional<Submitted>> earlier(SqlConnection conn, String kind, String inputJson, String idempotencyKey) {
    if (idempotencyKey == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return conn.preparedQuery(SqlQueries.TASK_BY_IDEMPOTENCY_KEY).execute(Tuple.of(idempotencyKey, kind, inputJson))
      .compose(rows -> {
        Optional<Row> row = SqlQueries.firstRow(rows);
        if (row.isPresent() && !row.get().getBoolean("same_request")) {
          return Future.failedFuture(new IdempotencyKeyReused("Idempotency-Key " + idempotencyKey + " was used for task "
            + row.get().getLong("id") + ", a different request; use a new key for a new task"));
        }
        return Future.succeededFuture(row.map(found -> new Submitted(SqlQueries.task(found), true)));
      });
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

  /** Claims up to {@code max} tasks for {@code runner} (who it is, e.g. pid@host, kept in claimed_by). */
  public Future<List<Claimed>> claim(int max, int leaseSeconds, String runner) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.CLAIM_TASKS).execute(Tuple.of(max, (double) leaseSeconds, runner))
      .map(rows -> {
        List<Claimed> claimed = new ArrayList<>();
        rows.forEach(row -> claimed.add(new Claimed(row.getLong("id"), row.getString("kind"), row.getString("input"),
          row.getInteger("attempts"))));
        return claimed;
      }));
  }

  /** Extends the leases of these attempts; one another process took over (its lease had run out) is left alone. */
  public Future<Void> renewLeases(Collection<Claimed> attempts, int leaseSeconds) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.RENEW_LEASES)
      .execute(attemptsTuple(attempts).addDouble((double) leaseSeconds)).mapEmpty());
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

  /** Puts attempts this process was running back in the queue (a graceful stop, a full pool), so they run again soon. */
  public Future<Void> requeue(Collection<Claimed> attempts) {
    return database.run(pool -> pool.preparedQuery(SqlQueries.REQUEUE_TASKS).execute(attemptsTuple(attempts)).mapEmpty());
  }

  private static Tuple attemptsTuple(Collection<Claimed> attempts) {
    return Tuple.tuple()
      .addArrayOfLong(attempts.stream().map(Claimed::id).toArray(Long[]::new))
      .addArrayOfInteger(attempts.stream().map(Claimed::attempt).toArray(Integer[]::new));
  }

  private static JsonArray toArray(RowSet<Row> rows) {
    JsonArray tasks = new JsonArray();
    rows.forEach(row -> tasks.add(SqlQueries.task(row)));
    return tasks;
  }
}
