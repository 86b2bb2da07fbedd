package io.loopscope.concurrency;

import io.vertx.core.Future;
import io.vertx.core.Timer;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;

/** Timer-based work for the API's tests: honours cancellation (or not) and remembers its timers. */
final class TestWork {

  final List<Timer> timers = new ArrayList<>();
  private final Vertx vertx;

  TestWork(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Succeeds with {@code value} after {@code ms}; cancelling cancels the timer. */
  Work<String> succeedAfter(long ms, String value) {
    return cancellation -> {
      Timer timer = timer(ms);
      cancellation.onCancel(timer::cancel);
      return timer.map(value).recover(failure -> Future.failedFuture(
        failure instanceof CancellationException ? cancellation.exception() : failure));
    };
  }

  /** Fails after {@code ms}. */
  Work<String> failAfter(long ms, String message) {
    return cancellation -> {
      Timer timer = timer(ms);
      cancellation.onCancel(timer::cancel);
      return timer.compose(fired -> Future.<String>failedFuture(new IllegalStateException(message)))
        .recover(failure -> Future.failedFuture(failure instanceof CancellationException ? cancellation.exception() : failure));
    };
  }

  /** Succeeds after {@code ms} whatever happens: it never looks at its cancellation. */
  Work<String> ignoreCancellation(long ms, String value) {
    return cancellation -> timer(ms).map(value);
  }

  private Timer timer(long ms) {
    Timer timer = vertx.timer(ms);
    timers.add(timer);
    return timer;
  }

  /** Completes once every timer has fired or been cancelled (a cancelled timer reports on its next turn). */
  Future<?> settled() {
    return Future.join(List.copyOf(timers));
  }

  /** True when no timer is pending: each either fired or was cancelled. */
  boolean noTimerPending() {
    return timers.stream().allMatch(Future::isComplete);
  }

  long cancelledTimers() {
    return timers.stream().filter(timer -> timer.failed() && timer.cause() instanceof CancellationException).count();
  }
}
