package io.loopscope.concurrency;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/** One {@code await} after another, the article's first version: for contrast with {@link FanOut}. */
public final class Sequential {

  private Sequential() {
  }

  /** Runs the work one piece at a time, in order; stops at the first failure ({@link FanOutException.Kind#CALL_FAILED}). */
  public static <T> Future<List<Outcome<T>>> run(List<? extends Work<T>> work) {
    Future<List<Outcome<T>>> done = Future.succeededFuture(new ArrayList<>());
    for (int i = 0; i < work.size(); i++) {
      int index = i;
      done = done.compose(outcomes -> next(index, work.get(index), outcomes));
    }
    return done;
  }

  private static <T> Future<List<Outcome<T>>> next(int index, Work<T> work, List<Outcome<T>> outcomes) {
    long start = System.nanoTime();
    return FanOut.Calls.outcome(index, FanOut.Calls.startSafely(work, Cancellation.create()), start).compose(outcome -> {
      outcomes.add(outcome);
      return outcome.ok() ? Future.succeededFuture(outcomes) : Future.failedFuture(new FanOutException(
        FanOutException.Kind.CALL_FAILED, index, outcome.error(), List.copyOf(outcomes), List.of(), List.of()));
    });
  }
}
