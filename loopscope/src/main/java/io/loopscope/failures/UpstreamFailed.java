package io.loopscope.failures;

/** The upstream answered with an error or nonsense, or could not be reached. */
public final class UpstreamFailed extends Failure {

  public UpstreamFailed(String detail) {
    super(detail);
  }
}
