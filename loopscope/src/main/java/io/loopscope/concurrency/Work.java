package io.loopscope.concurrency;

import io.vertx.core.Future;

import java.util.function.Supplier;

/**
 * A piece of asynchronous work that is started with a {@link Cancellation} it should honour: the
 * Vert.x counterpart of a coroutine handed to {@code asyncio.create_task}.
 */
@FunctionalInterface
public interface Work<T> {

  Future<T> start(Cancellation cancellation);

  /** Work that cannot stop early (a database query, say): cancelling it only stops waiting for it. */
  static <T> Work<T> uncancellable(Supplier<Future<T>> work) {
    return cancellation -> work.get();
  }
}
