package io.loopscope.db;

import io.loopscope.failures.DatabaseUnavailable;
import io.vertx.core.Future;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.SqlConnection;

import java.util.concurrent.atomic.AtomicReference;

/**
 * One transaction of {@link Database#write}, and the one question a 503 must answer: was COMMIT sent?
 * Whoever comes first wins: the transaction reaching its COMMIT, or our timeout (or a lost connection)
 * abandoning it. An abandoned transaction never commits (its last step fails, so it rolls back, whenever
 * the server gets to it) and its running statement is cancelled on the server; its 503 says nothing was
 * written. A timeout after COMMIT was sent cannot know, and says so.
 */
final class WriteAttempt {

  private enum State { OPEN, COMMITTING, ABANDONED }

  private final AtomicReference<State> state = new AtomicReference<>(State.OPEN);
  private volatile SqlConnection connection;

  /** The transaction's first step: a transaction that only got its connection after the timeout does nothing. */
  Future<Void> begin(SqlConnection conn) {
    connection = conn;
    return state.get() == State.ABANDONED ? abandoned() : Future.succeededFuture();
  }

  /** The last step before COMMIT. */
  <T> Future<T> commit(T result) {
    return state.compareAndSet(State.OPEN, State.COMMITTING) ? Future.succeededFuture(result) : abandoned();
  }

  /** For {@code recover}: an unavailable database becomes a 503 that says whether the write may have happened. */
  <T> Future<T> translate(Throwable failure) {
    if (!DatabaseFailures.isUnavailable(failure)) {
      return Future.failedFuture(failure);
    }
    if (state.compareAndSet(State.OPEN, State.ABANDONED) || state.get() == State.ABANDONED) {
      cancelOnServer();
      return Future.failedFuture(new DatabaseUnavailable(DatabaseFailures.NOT_WRITTEN_DETAIL));
    }
    return Future.failedFuture(new DatabaseUnavailable(DatabaseFailures.MAYBE_WRITTEN_DETAIL));
  }

  /** A cancel request (a connection of its own): the server drops the statement as soon as it runs again. */
  private void cancelOnServer() {
    if (connection instanceof PgConnection pg) {
      pg.cancelRequest().otherwiseEmpty();
    }
  }

  private static <T> Future<T> abandoned() {
    return Future.failedFuture(new DatabaseUnavailable(DatabaseFailures.NOT_WRITTEN_DETAIL));
  }
}
