package io.loopscope.concurrency;

import io.vertx.core.Future;

import java.util.List;

/**
 * A fan-out that did not give its caller what it asked for, with every call's outcome at that moment
 * (calls still running have no outcome yet: they are listed as {@link #unfinished()}).
 */
public final class FanOutException extends RuntimeException {

  /** Why the fan-out failed. */
  public enum Kind {
    /** a call failed ({@code all}, task group): {@link #failedIndex()} names it */
    CALL_FAILED,
    /** every call failed ({@code any}) */
    ALL_FAILED,
    /** the deadline passed: {@link #unfinished()} were cancelled */
    DEADLINE_EXCEEDED
  }

  private final Kind kind;
  private final int failedIndex;
  private final List<Outcome<?>> outcomes;
  private final List<Integer> unfinished;
  private final List<Integer> cancelled;

  public FanOutException(Kind kind, int failedIndex, Throwable cause, List<Outcome<?>> outcomes,
                         List<Integer> unfinished, List<Integer> cancelled) {
    super(message(kind, failedIndex, cause, unfinished), cause, false, false);
    this.kind = kind;
    this.failedIndex = failedIndex;
    this.outcomes = List.copyOf(outcomes);
    this.unfinished = List.copyOf(unfinished);
    this.cancelled = List.copyOf(cancelled);
  }

  private static String message(Kind kind, int failedIndex, Throwable cause, List<Integer> unfinished) {
    return switch (kind) {
      case CALL_FAILED -> "call " + failedIndex + " failed: " + (cause == null ? "" : cause.getMessage());
      case ALL_FAILED -> "every call failed";
      case DEADLINE_EXCEEDED -> "deadline exceeded; unfinished calls " + unfinished;
    };
  }

  /**
   * For callers that only want the failing call's own error (a 503 from the database, say), not the
   * fan-out around it: {@code .recover(FanOutException::failedCall)}.
   */
  public static <T> Future<T> failedCall(Throwable failure) {
    Throwable cause = failure instanceof FanOutException fanOut && fanOut.kind() == Kind.CALL_FAILED && fanOut.getCause() != null
      ? fanOut.getCause() : failure;
    return Future.failedFuture(cause);
  }

  public Kind kind() {
    return kind;
  }

  /** The call that failed first, or -1. */
  public int failedIndex() {
    return failedIndex;
  }

  /** Finished calls, in index order. */
  public List<Outcome<?>> outcomes() {
    return outcomes;
  }

  /** Calls that had not finished when the fan-out gave up. */
  public List<Integer> unfinished() {
    return unfinished;
  }

  /** Calls asked to stop (task group siblings, calls past the deadline). */
  public List<Integer> cancelled() {
    return cancelled;
  }
}
