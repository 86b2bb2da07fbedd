package io.loopscope.upstream;

import io.vertx.core.json.JsonObject;

import java.util.concurrent.atomic.AtomicLong;

/** The simulator's counters, so cancellation can be seen from the upstream's side: a call cancelled by loopscope shows as {@code cancelled}. */
final class UpstreamStats {

  private final AtomicLong started = new AtomicLong();
  private final AtomicLong completed = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicLong cancelled = new AtomicLong();

  void started() {
    started.incrementAndGet();
  }

  void completed() {
    completed.incrementAndGet();
  }

  void failed() {
    failed.incrementAndGet();
  }

  void cancelled() {
    cancelled.incrementAndGet();
  }

  void reset() {
    started.set(0);
    completed.set(0);
    failed.set(0);
    cancelled.set(0);
  }

  JsonObject toJson() {
    long begun = started.get();
    long done = completed.get();
    long failures = failed.get();
    long gone = cancelled.get();
    return new JsonObject().put("started", begun).put("completed", done).put("failed", failures).put("cancelled", gone)
      .put("inFlight", Math.max(0, begun - done - failures - gone));
  }
}
