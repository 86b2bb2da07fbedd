package io.loopscope.db;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.function.Function;

/**
 * The three reads of the user overview, one query each through the reactive pool. {@code latencyMs}
 * is a remote latency simulated inside the query ({@code pg_sleep}), 0 for none.
 */
public final class UserRepository {

  private final Database database;

  public UserRepository(Database database) {
    this.database = database;
  }

  public Future<Optional<JsonObject>> findUser(long id, int latencyMs) {
    return query(SqlQueries.USER_BY_ID, id, latencyMs, rows -> SqlQueries.firstRow(rows).map(SqlQueries::user));
  }

  /** The user's latest orders, newest first (at most {@link SqlQueries#LATEST_ORDERS_LIMIT}). */
  public Future<JsonArray> latestOrders(long userId, int latencyMs) {
    return query(SqlQueries.LATEST_ORDERS, userId, latencyMs, rows -> {
      JsonArray orders = new JsonArray();
      rows.forEach(row -> orders.add(SqlQueries.order(row)));
      return orders;
    });
  }

  public Future<Optional<JsonObject>> preferences(long userId, int latencyMs) {
    return query(SqlQueries.PREFERENCES, userId, latencyMs, rows -> SqlQueries.firstRow(rows).map(SqlQueries::preferences));
  }

  private <T> Future<T> query(String sql, long id, int latencyMs, Function<RowSet<Row>, T> mapping) {
    return database.run(pool -> pool.preparedQuery(sql).execute(Tuple.of(id, latencyMs / 1000.0)).map(mapping));
  }
}
