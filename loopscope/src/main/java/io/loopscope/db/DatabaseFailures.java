package io.loopscope.db;

import io.loopscope.failures.DatabaseUnavailable;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

import java.net.ConnectException;
import java.util.concurrent.TimeoutException;

/** Tells "the database is not there right now" (a retry later) from everything else, by SQLSTATE and exception type. */
public final class DatabaseFailures {

  public static final String UNAVAILABLE_DETAIL = "The database is unavailable; retry later";
  /** A write given up before its COMMIT was sent: it rolls back, a retry cannot duplicate it. */
  public static final String NOT_WRITTEN_DETAIL = UNAVAILABLE_DETAIL + " (nothing was written)";
  /** A write whose COMMIT was sent but not answered: it may have happened. */
  public static final String MAYBE_WRITTEN_DETAIL = UNAVAILABLE_DETAIL
    + " (the write may have been committed: retry with the same Idempotency-Key to get its result, not a second one)";

  private DatabaseFailures() {
  }

  /** For {@code recover}: an unavailable database becomes a {@link DatabaseUnavailable}, anything else stays as it is. */
  public static <T> Future<T> translate(Throwable failure) {
    if (isUnavailable(failure)) {
      return Future.failedFuture(new DatabaseUnavailable(UNAVAILABLE_DETAIL));
    }
    return Future.failedFuture(failure);
  }

  public static boolean isUnavailable(Throwable failure) {
    if (failure instanceof PgException pg) {
      return isUnavailable(pg.getSqlState());
    }
    return failure instanceof TimeoutException
      || failure instanceof ClosedConnectionException
      || failure instanceof ConnectException
      || failure instanceof ConnectTimeoutException;
  }

  /**
   * A lost connection, 53300 (too many connections) and 57014 (statement_timeout: the database did not
   * answer in time).
   */
  public static boolean isUnavailable(String sqlState) {
    return isConnectionLost(sqlState) || "53300".equals(sqlState) || "57014".equals(sqlState);
  }

  /** Class 08 (connection exception) and 57P01-57P03 (shutting down, cannot connect now): a new connection is needed. */
  public static boolean isConnectionLost(String sqlState) {
    return sqlState != null && (sqlState.startsWith("08") || sqlState.startsWith("57P"));
  }
}
