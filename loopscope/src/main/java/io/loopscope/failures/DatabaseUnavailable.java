package io.loopscope.failures;

/** PostgreSQL cannot be reached, or did not answer within db.timeoutMs. */
public final class DatabaseUnavailable extends Failure {

  public DatabaseUnavailable(String detail) {
    super(detail);
  }
}
