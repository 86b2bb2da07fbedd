package io.loopscope.concurrency;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;

/**
 * Structured concurrency, as {@code asyncio.TaskGroup}: children are spawned into a scope; the first
 * child to fail cancels all the others; {@link #join()} completes only when every child has finished
 * or stopped — a child that ignores its cancellation is still waited for. A group opened with a parent
 * {@link Cancellation} (a child's own) is cancelled with it, so nested groups cancel all the way down.
 * Use it from one Vert.x context (an event loop).
 */
public final class TaskGroup {

  private final Cancellation scope;
  private final List<Future<Outcome<Object>>> children = new ArrayList<>();
  private final List<Cancellation> cancellations = new ArrayList<>();
  private final List<Integer> cancelled = new ArrayList<>();
  private int failedIndex = -1;
  private Throwable failure;
  private boolean joined;

  private TaskGroup(Cancellation scope) {
    this.scope = scope;
  }

  public static TaskGroup open() {
    return new TaskGroup(Cancellation.create());
  }

  /** A group nested in the work that owns {@code parent}: cancelling the parent cancels every child here. */
  public static TaskGroup open(Cancellation parent) {
    return new TaskGroup(parent.child());
  }

  /** Starts {@code work} as the next child (index = spawn order) and returns its result. */
  public <T> Future<T> spawn(Work<T> work) {
    if (joined) {
      throw new IllegalStateException("the group has been joined; spawn before join()");
    }
    int index = children.size();
    Cancellation cancellation = scope.child();
    long start = System.nanoTime();
    Future<T> result = FanOut.Calls.startSafely(work, cancellation);
    Future<Outcome<Object>> outcome = FanOut.Calls.outcome(index, result.map(value -> (Object) value), start);
    cancellations.add(cancellation);
    children.add(outcome);
    outcome.onSuccess(this::onChildDone);
    return result;
  }

  private void onChildDone(Outcome<Object> outcome) {
    if (outcome.ok() || outcome.cancelled() || failedIndex >= 0) {
      return;
    }
    failedIndex = outcome.index();
    failure = outcome.error();
    for (int i = 0; i < children.size(); i++) {
      if (!children.get(i).isComplete() && cancellations.get(i).cancel("sibling " + failedIndex + " failed")) {
        cancelled.add(i);
      }
    }
  }

  /**
   * Closes the scope: completes when every child has finished. Succeeds with every outcome when all
   * succeeded; otherwise fails with {@link FanOutException.Kind#CALL_FAILED} naming the first failure
   * and the children it cancelled, or with a {@link CancelledException} when the group itself was cancelled.
   */
  public Future<List<Outcome<Object>>> join() {
    joined = true;
    return Future.all(children).compose(all -> {
      List<Outcome<Object>> outcomes = all.list();
      if (failedIndex >= 0) {
        return Future.failedFuture(new FanOutException(FanOutException.Kind.CALL_FAILED, failedIndex, failure,
          List.copyOf(outcomes), List.of(), List.copyOf(cancelled)));
      }
      if (scope.isCancelled()) {
        return Future.failedFuture(scope.exception());
      }
      return Future.succeededFuture(outcomes);
    });
  }

  /** Cancels every child still running (the whole group was cancelled from outside). */
  public void cancel(String reason) {
    scope.cancel(reason);
  }

  /** The group's own signal: pass it to {@link #open(Cancellation)} for a nested group. */
  public Cancellation cancellation() {
    return scope;
  }
}
