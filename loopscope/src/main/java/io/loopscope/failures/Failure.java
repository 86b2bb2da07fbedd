package io.loopscope.failures;

/**
 * An expected outcome of domain code, not a bug: the pool is full, the database is away, the input is wrong.
 * Each kind is its own class; only the http package decides what status and problem body it becomes.
 * Cheap to throw: no stack trace.
 */
public abstract class Failure extends RuntimeException {

  protected Failure(String detail) {
    super(detail, null, false, false);
  }

  /** The sentence a client may read. */
  public String detail() {
    return getMessage();
  }
}
