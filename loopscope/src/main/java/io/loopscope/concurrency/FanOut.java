package io.loopscope.concurrency;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/**
 * n calls started together, each timed and each with its own {@link Cancellation}, and the ways to
 * wait for them that asyncio offers: {@link #all()} ({@code gather}), {@link #join()}
 * ({@code gather(return_exceptions=True)}), {@link #any()} (first success), each optionally bounded by
 * {@link #within(Vertx, long, Future)}. Use it from one Vert.x context (an event loop).
 */
public final class FanOut<T> {

  private record Call<T>(int index, Cancellation cancellation, Future<T> result, Future<Outcome<T>> outcome) {
  }

  private final List<Call<T>> calls;
  private final long startNanos;

  private FanOut(List<Call<T>> calls, long startNanos) {
    this.calls = calls;
    this.startNanos = startNanos;
  }

  /** Starts every piece of work now, concurrently; call {@code i} is {@code work.get(i)}. */
  public static <T> FanOut<T> start(List<? extends Work<T>> work) {
    return start(work, Cancellation.create());
  }

  /** Like {@link #start(List)}, with every call cancelled when {@code parent} is. */
  public static <T> FanOut<T> start(List<? extends Work<T>> work, Cancellation parent) {
    long startNanos = System.nanoTime();
    List<Call<T>> calls = new ArrayList<>(work.size());
    for (int i = 0; i < work.size(); i++) {
      calls.add(call(i, work.get(i), parent.child()));
    }
    return new FanOut<>(calls, startNanos);
  }

  private static <T> Call<T> call(int index, Work<T> work, Cancellation cancellation) {
    long start = System.nanoTime();
    Future<T> result = Calls.startSafely(work, cancellation);
    return new Call<>(index, cancellation, result, Calls.outcome(index, result, start));
  }

  /**
   * {@code asyncio.gather}: every value, in call order. Fails at once with the first failure
   * ({@link FanOutException.Kind#CALL_FAILED}); like gather's, the other calls keep running.
   */
  public Future<List<T>> all() {
    Promise<List<T>> promise = Promise.promise();
    for (Call<T> call : calls) {
      call.result().onFailure(cause -> promise.tryFail(new FanOutException(FanOutException.Kind.CALL_FAILED,
        call.index(), cause, finishedOutcomes(), unfinished(), List.of())));
    }
    Future.all(results()).onSuccess(all -> promise.tryComplete(all.list()));
    return promise.future();
  }

  /** {@code gather(..., return_exceptions=True)}: waits for every call and keeps every outcome, in call order. */
  public Future<List<Outcome<T>>> join() {
    return Future.all(outcomes()).map(all -> all.list());
  }

  /**
   * The first call to succeed wins and the others are cancelled. Fails only when every call failed
   * ({@link FanOutException.Kind#ALL_FAILED}).
   */
  public Future<Outcome<T>> any() {
    Promise<Outcome<T>> promise = Promise.promise();
    for (Call<T> call : calls) {
      call.outcome().onSuccess(outcome -> {
        if (outcome.ok() && promise.tryComplete(outcome)) {
          cancelUnfinished("call " + outcome.index() + " won");
        }
      });
    }
    join().onSuccess(all -> promise.tryFail(new FanOutException(FanOutException.Kind.ALL_FAILED, -1, null,
      List.copyOf(all), List.of(), List.of())));
    return promise.future();
  }

  /**
   * Bounds {@code result} (one of this fan-out's waits) by a deadline: when it passes first, the
   * unfinished calls are cancelled and the result fails with {@link FanOutException.Kind#DEADLINE_EXCEEDED}.
   */
  public <R> Future<R> within(Vertx vertx, long deadlineMs, Future<R> result) {
    return Deadlines.within(vertx, deadlineMs, result,
      () -> new FanOutException(FanOutException.Kind.DEADLINE_EXCEEDED, -1, null, finishedOutcomes(), unfinished(), unfinished()),
      () -> cancelUnfinished("deadline of " + deadlineMs + " ms exceeded"));
  }

  /** Cancels the calls still running and returns their indexes. */
  public List<Integer> cancelUnfinished(String reason) {
    List<Integer> unfinished = unfinished();
    unfinished.forEach(index -> calls.get(index).cancellation().cancel(reason));
    return unfinished;
  }

  /** Outcomes of the calls that have finished, in call order. */
  public List<Outcome<?>> finishedOutcomes() {
    return calls.stream().map(Call::outcome).filter(Future::isComplete).<Outcome<?>>map(Future::result).toList();
  }

  /** Indexes of the calls still running. */
  public List<Integer> unfinished() {
    return calls.stream().filter(call -> !call.outcome().isComplete()).map(Call::index).toList();
  }

  /** Milliseconds since the calls were started. */
  public long elapsedMs() {
    return Calls.msSince(startNanos);
  }

  public int size() {
    return calls.size();
  }

  private List<Future<T>> results() {
    return calls.stream().map(Call::result).toList();
  }

  private List<Future<Outcome<T>>> outcomes() {
    return calls.stream().map(Call::outcome).toList();
  }

  /** Small shared helpers of fan-outs and task groups. */
  static final class Calls {
    private Calls() {
    }

    /** Starts the work; a {@code start} that throws is a failed call, not a failed caller. */
    static <T> Future<T> startSafely(Work<T> work, Cancellation cancellation) {
      if (cancellation.isCancelled()) {
        return Future.failedFuture(cancellation.exception());
      }
      try {
        Future<T> result = work.start(cancellation);
        return result == null ? Future.failedFuture(new IllegalStateException("work returned no future")) : result;
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }

    /** The call's outcome once it finishes; never fails. */
    static <T> Future<Outcome<T>> outcome(int index, Future<T> result, long startNanos) {
      return result.transform(done -> Future.succeededFuture(done.succeeded()
        ? Outcome.success(index, done.result(), msSince(startNanos))
        : Outcome.failure(index, done.cause(), msSince(startNanos))));
    }

    static long msSince(long startNanos) {
      return Elapsed.msSince(startNanos);
    }
  }
}
