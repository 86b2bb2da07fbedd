package io.loopscope.failures;

/** The upstream did not answer in time. */
public final class UpstreamTimeout extends Failure {

  public UpstreamTimeout(String detail) {
    super(detail);
  }
}
