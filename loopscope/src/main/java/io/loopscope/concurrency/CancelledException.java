package io.loopscope.concurrency;

import java.util.concurrent.CancellationException;

/** A piece of work stopped because it was cancelled; an expected outcome, so no stack trace. */
public final class CancelledException extends CancellationException {

  public CancelledException(String reason) {
    super(reason == null ? "cancelled" : reason);
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
