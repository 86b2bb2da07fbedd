package io.loopscope.concurrency;

/**
 * What one call of a fan-out did — {@code gather(..., return_exceptions=True)}'s element, plus timing:
 * its value or its error, how long it ran, and whether it was cancelled before it finished.
 */
public record Outcome<T>(int index, T value, Throwable error, long ms, boolean cancelled) {

  public boolean ok() {
    return error == null;
  }

  static <T> Outcome<T> success(int index, T value, long ms) {
    return new Outcome<>(index, value, null, ms, false);
  }

  static <T> Outcome<T> failure(int index, Throwable error, long ms) {
    return new Outcome<>(index, null, error, ms, error instanceof CancelledException);
  }
}
