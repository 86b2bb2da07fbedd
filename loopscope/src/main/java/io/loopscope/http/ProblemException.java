package io.loopscope.http;

/** A failure that already knows its HTTP answer. Cheap: no stack trace, since it is an expected outcome. */
public final class ProblemException extends RuntimeException {

  private final Problem problem;

  public ProblemException(Problem problem) {
    super(problem.detail(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
