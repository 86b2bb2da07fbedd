package io.loopscope.concurrency;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Deadlines over Vert.x futures: {@code asyncio.timeout} / {@code wait_for}, with the work really cancelled on expiry. */
public final class Deadlines {

  private Deadlines() {
  }

  /**
   * A per-call deadline: the work is cancelled after {@code ms} and its result fails with a
   * {@link TimeoutException} — unless it finished first, in which case the timer is cancelled.
   */
  public static <T> Work<T> withTimeout(Vertx vertx, long ms, Work<T> work) {
    return cancellation -> {
      Cancellation call = cancellation.child();
      Future<T> result = FanOut.Calls.startSafely(work, call);
      return within(vertx, ms, result, () -> new TimeoutException("timed out after " + ms + " ms"),
        () -> call.cancel("timed out after " + ms + " ms"));
    };
  }

  /**
   * {@code result}, or the failure {@code expired} makes if {@code ms} pass first; then {@code cancel}
   * stops what is still running (after the failure is decided, so the cancellations cannot pre-empt it).
   * The deadline timer never outlives the result.
   */
  public static <T> Future<T> within(Vertx vertx, long ms, Future<T> result, Supplier<? extends Throwable> expired,
                                     Runnable cancel) {
    if (result.isComplete()) {
      return result;
    }
    Promise<T> promise = Promise.promise();
    Timer deadline = vertx.timer(ms);
    deadline.onSuccess(fired -> {
      if (!result.isComplete()) {
        promise.tryFail(expired.get());
        cancel.run();
      }
    });
    result.onComplete(done -> {
      deadline.cancel();
      if (done.succeeded()) {
        promise.tryComplete(done.result());
      } else {
        promise.tryFail(done.cause());
      }
    });
    return promise.future();
  }
}
