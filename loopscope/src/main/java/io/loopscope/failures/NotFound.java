package io.loopscope.failures;

/** The thing asked for does not exist. */
public final class NotFound extends Failure {

  public NotFound(String detail) {
    super(detail);
  }
}
