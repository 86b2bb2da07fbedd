package io.loopscope.bench;

/** A response outside 2xx; counted under its status code. Thrown per failed request, so it keeps no stack trace. */
final class UnexpectedStatus extends RuntimeException {

  private final int status;

  UnexpectedStatus(int status) {
    super("HTTP " + status, null, false, false);
    this.status = status;
  }

  int status() {
    return status;
  }
}
