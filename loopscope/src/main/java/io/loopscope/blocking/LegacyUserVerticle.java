package io.loopscope.blocking;

import io.loopscope.concurrency.Elapsed;
import io.loopscope.db.DatabaseFailures;
import io.loopscope.db.ConnectionSettings;
import io.loopscope.db.SqlQueries;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.ThreadingModel;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * The article's psycopg2: plain, blocking JDBC, kept where it cannot hurt an event loop. Each instance is
 * a worker verticle with one JDBC connection (re-opened when lost) on the {@code legacy} worker pool, and
 * handles one request at a time from event-bus address {@value #ADDRESS}; N instances serve N requests at once.
 * Replies: {@code {user, node, thread, queryMs}}, or a failure with code 404, 503 (no database) or 504 (statement timeout).
 */
public final class LegacyUserVerticle extends VerticleBase {

  public static final String ADDRESS = "legacy.users.get";
  public static final String WORKER_POOL = "legacy";
  public static final int NOT_FOUND = 404;
  public static final int UNAVAILABLE = 503;
  public static final int TIMEOUT = 504;
  static final int FAILED = 500;
  private static final String STATEMENT_TIMEOUT = "57014";
  private static final Logger LOG = LoggerFactory.getLogger(LegacyUserVerticle.class);

  private final ConnectionSettings target;
  private final int connectTimeoutMs;
  private final int statementTimeoutMs;
  private final String node;
  private Connection connection;

  /**
   * @param connectTimeoutMs how long a (re)connect may take (db.timeoutMs)
   * @param statementTimeoutMs the server cancels a query running longer (legacy.timeoutMs): the caller has given up by then
   * @param node this node's name, in every reply (on a cluster, which node served it)
   */
  public LegacyUserVerticle(ConnectionSettings target, int connectTimeoutMs, int statementTimeoutMs, String node) {
    this.target = target;
    this.connectTimeoutMs = connectTimeoutMs;
    this.statementTimeoutMs = statementTimeoutMs;
    this.node = node;
  }

  /** Deploys {@code instances} workers on a pool of as many threads, named {@code legacy-N}. */
  public static Future<String> deploy(Vertx vertx, ConnectionSettings target, int instances, int connectTimeoutMs,
                                      int statementTimeoutMs, String node) {
    return vertx.deployVerticle(() -> new LegacyUserVerticle(target, connectTimeoutMs, statementTimeoutMs, node),
      new DeploymentOptions()
        .setThreadingModel(ThreadingModel.WORKER)
        .setWorkerPoolName(WORKER_POOL)
        .setWorkerPoolSize(instances)
        .setInstances(instances));
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> consumer = vertx.eventBus().consumer(ADDRESS, this::getUser);
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    closeConnection();
    return Future.succeededFuture();
  }

  private void getUser(Message<JsonObject> message) {
    long id = message.body().getLong("id");
    int sleepMs = message.body().getInteger("sleepMs", 0);
    long start = System.nanoTime();
    try {
      Optional<JsonObject> user = queryReconnecting(id, sleepMs);
      if (user.isEmpty()) {
        message.fail(NOT_FOUND, "No user " + id);
        return;
      }
      message.reply(new JsonObject()
        .put("user", user.get())
        .put("node", node)
        .put("thread", Thread.currentThread().getName())
        .put("queryMs", Elapsed.msSince(start)));
    } catch (SQLException e) {
      message.fail(failureCode(e), e.getMessage());
    }
  }

  private static int failureCode(SQLException e) {
    if (STATEMENT_TIMEOUT.equals(e.getSQLState())) {
      return TIMEOUT;
    }
    if (DatabaseFailures.isUnavailable(e.getSQLState())) {
      return UNAVAILABLE;
    }
    LOG.error("Legacy user query failed (SQLSTATE {})", e.getSQLState(), e);
    return FAILED;
  }

  /** A connection from before a database restart fails on first use: then one retry on a fresh one. */
  private Optional<JsonObject> queryReconnecting(long id, int sleepMs) throws SQLException {
    boolean fresh = connection == null;
    try {
      return query(connection(), id, sleepMs);
    } catch (SQLException e) {
      if (!isConnectionLost(e)) {
        throw e;
      }
      closeConnection();
      if (fresh) {
        throw e;
      }
      return query(connection(), id, sleepMs);
    }
  }

  private static Optional<JsonObject> query(Connection connection, long id, int sleepMs) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(SqlQueries.LEGACY_USER_BY_ID)) {
      statement.setLong(1, id);
      statement.setDouble(2, sleepMs / 1000.0);
      try (ResultSet rows = statement.executeQuery()) {
        if (!rows.next()) {
          return Optional.empty();
        }
        return Optional.of(SqlQueries.user(rows.getLong("id"), rows.getString("name"), rows.getString("email"),
          rows.getTimestamp("created_at").toInstant()));
      }
    }
  }

  private Connection connection() throws SQLException {
    if (connection == null) {
      connection = DriverManager.getConnection(target.jdbcUrl(connectTimeoutMs),
        target.jdbcSession(statementTimeoutMs, connectTimeoutMs));
    }
    return connection;
  }

  private static boolean isConnectionLost(SQLException e) {
    return DatabaseFailures.isConnectionLost(e.getSQLState());
  }

  private void closeConnection() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        // it is being thrown away: nothing to do
      }
      connection = null;
    }
  }
}
