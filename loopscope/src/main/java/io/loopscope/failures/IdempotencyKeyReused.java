package io.loopscope.failures;

/** An Idempotency-Key already used for another request (a different task): the client reused a key by mistake. */
public final class IdempotencyKeyReused extends Failure {

  public IdempotencyKeyReused(String detail) {
    super(detail);
  }
}
