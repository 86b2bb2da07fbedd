package io.loopscope.failures;

/** The input is larger than a configured limit; the detail names the limit's key. */
public final class TooLarge extends Failure {

  public TooLarge(String detail) {
    super(detail);
  }
}
