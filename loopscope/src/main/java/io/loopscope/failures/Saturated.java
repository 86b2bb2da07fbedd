package io.loopscope.failures;

/** A bounded pool or queue is full: nothing was done, and the caller may come back after {@code retryAfterSeconds}. */
public final class Saturated extends Failure {

  private final int retryAfterSeconds;

  public Saturated(String detail, int retryAfterSeconds) {
    super(detail);
    this.retryAfterSeconds = retryAfterSeconds;
  }

  public int retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
