package io.loopscope.db;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;

/** Every SQL statement loopscope runs, next to the mapping of its rows to JSON. */
public final class SqlQueries {

  private SqlQueries() {
  }

  // --- users overview. $2 is a simulated remote latency in seconds (0 = none): the uncorrelated EXISTS runs
  // pg_sleep once, before the scan, whether or not a row matches, so each query takes at least that long.

  static final String USER_BY_ID =
    "SELECT id, name, email, created_at FROM users WHERE id = $1 AND EXISTS (SELECT 1 FROM pg_sleep($2))";

  public static final int LATEST_ORDERS_LIMIT = 20;

  static final String LATEST_ORDERS =
    "SELECT id, total_cents, status, created_at FROM orders WHERE user_id = $1 AND EXISTS (SELECT 1 FROM pg_sleep($2))"
      + " ORDER BY created_at DESC, id DESC LIMIT " + LATEST_ORDERS_LIMIT;

  static final String PREFERENCES =
    "SELECT theme, language, newsletter FROM preferences WHERE user_id = $1 AND EXISTS (SELECT 1 FROM pg_sleep($2))";

  /** A new pool connection's first statement, shaped like the overview's ($1 an id, $2 a latency); returns no row. */
  static final String WARM_UP = "SELECT 1 FROM users, orders, preferences, tasks WHERE users.id = $1 AND false"
    + " AND EXISTS (SELECT 1 FROM pg_sleep($2))";

  /** The same user query for the legacy JDBC path (JDBC placeholders): id, then the latency in seconds. */
  public static final String LEGACY_USER_BY_ID =
    "SELECT id, name, email, created_at FROM users WHERE id = ? AND EXISTS (SELECT 1 FROM pg_sleep(?))";

  static JsonObject user(Row row) {
    return user(row.getLong("id"), row.getString("name"), row.getString("email"),
      row.getOffsetDateTime("created_at").toInstant());
  }

  public static JsonObject user(long id, String name, String email, Instant createdAt) {
    return new JsonObject().put("id", id).put("name", name).put("email", email).put("createdAt", createdAt.toString());
  }

  static JsonObject order(Row row) {
    return new JsonObject()
      .put("id", row.getLong("id"))
      .put("totalCents", row.getInteger("total_cents"))
      .put("status", row.getString("status"))
      .put("createdAt", instant(row.getOffsetDateTime("created_at")));
  }

  static JsonObject preferences(Row row) {
    return new JsonObject()
      .put("theme", row.getString("theme"))
      .put("language", row.getString("language"))
      .put("newsletter", row.getBoolean("newsletter"));
  }

  // --- durable tasks

  private static final String TASK_SUMMARY = "id, kind, state, attempts, created_at, started_at, finished_at, error,"
    + " (extract(epoch FROM started_at - created_at) * 1000)::bigint AS queued_ms,"
    + " (extract(epoch FROM finished_at - started_at) * 1000)::bigint AS run_ms";

  private static final String TASK_DETAIL = TASK_SUMMARY + ", input, result";

  /** Serialises submissions, so the queue bound is exact. */
  static final String LOCK_TASK_QUEUE = "SELECT pg_advisory_xact_lock(4242)";

  /** $1 kind, $2 input JSON text, $3 tasks.maxQueued, $4 the Idempotency-Key or null; no row back means the queue is full. */
  static final String INSERT_TASK = "INSERT INTO tasks (kind, input, idempotency_key) SELECT $1, $2::text::jsonb, $4"
    + " WHERE (SELECT count(*) FROM tasks WHERE state = 'queued') < $3 RETURNING " + TASK_SUMMARY;

  /** The task an Idempotency-Key $1 created, and whether it is the task $2 (kind) / $3 (input) asks for. */
  static final String TASK_BY_IDEMPOTENCY_KEY = "SELECT (kind = $2 AND input = $3::text::jsonb) AS same_request, "
    + TASK_SUMMARY + " FROM tasks WHERE idempotency_key = $1";

  static final String TASK_BY_ID = "SELECT " + TASK_DETAIL + " FROM tasks WHERE id = $1";

  /** $1 state ('' = any), $2 only ids below this (the page cursor), $3 how many; newest first. */
  static final String LIST_TASKS = "SELECT " + TASK_SUMMARY + " FROM tasks"
    + " WHERE ($1::text = '' OR state = $1::text) AND id < $2 ORDER BY id DESC LIMIT $3";

  /**
   * Takes up to $1 waiting tasks, oldest first, plus running ones whose lease ran out (their process died),
   * and leases them for $2 seconds to runner $3. SKIP LOCKED lets several processes claim side by side.
   * Each claim is a new attempt: the attempt number fences every later write of the claimant.
   */
  static final String CLAIM_TASKS = "UPDATE tasks SET state = 'running', attempts = attempts + 1, started_at = now(),"
    + " finished_at = NULL, lease_until = now() + make_interval(secs => $2), claimed_by = $3"
    + " WHERE id IN (SELECT id FROM tasks WHERE state = 'queued' OR (state = 'running' AND lease_until < now())"
    + " ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)"
    + " RETURNING id, kind, input::text AS input, attempts";

  /** The attempts $1 (ids) / $2 (attempt numbers), pairwise: a claim that was taken over matches nothing. */
  private static final String OWN_ATTEMPTS = " AND state = 'running'"
    + " AND (id, attempts) IN (SELECT * FROM unnest($1::bigint[], $2::int[]))";

  static final String RENEW_LEASES = "UPDATE tasks SET lease_until = now() + make_interval(secs => $3) WHERE true"
    + OWN_ATTEMPTS;

  /** Only the attempt that claimed it may finish it: a stale runner's late answer changes nothing. */
  static final String FINISH_TASK = "UPDATE tasks SET state = $3, result = $4::text::jsonb, error = $5::text::jsonb,"
    + " finished_at = now(), lease_until = NULL WHERE id = $1 AND attempts = $2 AND state = 'running'";

  static final String REQUEUE_TASKS = "UPDATE tasks SET state = 'queued', started_at = NULL, lease_until = NULL,"
    + " claimed_by = NULL WHERE true" + OWN_ATTEMPTS;

  /** A task as the API shows it; the input and the result only where the query selected them. */
  static JsonObject task(Row row) {
    JsonObject task = new JsonObject()
      .put("id", row.getLong("id"))
      .put("kind", row.getString("kind"))
      .put("state", row.getString("state"))
      .put("attempts", row.getInteger("attempts"))
      .put("createdAt", instant(row.getOffsetDateTime("created_at")))
      .put("startedAt", instant(row.getOffsetDateTime("started_at")))
      .put("finishedAt", instant(row.getOffsetDateTime("finished_at")))
      .put("queuedMs", row.getLong("queued_ms"))
      .put("runMs", row.getLong("run_ms"))
      .put("error", row.getJsonObject("error"));
    if (row.getColumnIndex("input") >= 0) {
      task.put("input", row.getJsonObject("input")).put("result", row.getJsonObject("result"));
    }
    return task;
  }

  static Optional<Row> firstRow(RowSet<Row> rows) {
    return rows.size() == 0 ? Optional.empty() : Optional.of(rows.iterator().next());
  }

  private static String instant(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
