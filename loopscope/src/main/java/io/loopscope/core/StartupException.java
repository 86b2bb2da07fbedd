package io.loopscope.core;

import io.vertx.core.Future;

import java.util.function.Function;

/** Start-up failed for a reason the operator can fix (a port taken, a database unreachable): one line, the key, no stack trace. */
public final class StartupException extends RuntimeException {

  public StartupException(String key, String problem) {
    super(key + ": " + problem, null, false, false);
  }

  /** For {@code listen(...).recover(...)}: names the key and the address that could not be bound. */
  public static <T> Function<Throwable, Future<T>> cannotListen(String key, String host, int port) {
    return failure -> Future.failedFuture(new StartupException(key,
      "cannot listen on " + host + ":" + port + " (" + failure.getMessage() + ")"));
  }
}
