package io.loopscope.bench;

/** A bench that cannot go on (a target unreachable, a report unwritable): one line for the user, no stack trace. */
public final class BenchException extends RuntimeException {

  public BenchException(String message) {
    super(message, null, false, false);
  }
}
