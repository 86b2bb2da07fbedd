package io.loopscope.http;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;

/**
 * The liveness and readiness checks the admin server answers. They live on the admin Vert.x
 * instance, so a blocked API event loop cannot stop them from answering.
 */
public final class Health {

  private final HealthChecks liveness;
  private final HealthChecks readiness;
  private volatile boolean shuttingDown;

  public Health(Vertx adminVertx) {
    this.liveness = HealthChecks.create(adminVertx);
    this.readiness = HealthChecks.create(adminVertx);
    readiness.register("shutdown", promise -> promise.complete(shuttingDown
      ? Status.KO(new JsonObject().put("reason", "shutting down")) : Status.OK()));
  }

  /** DOWN means: restart this process. */
  public HealthChecks liveness() {
    return liveness;
  }

  /** DOWN means: send no traffic here for now. */
  public HealthChecks readiness() {
    return readiness;
  }

  /** Readiness is DOWN from now on, so load balancers stop sending new traffic while the process drains. */
  public void beginShutdown() {
    shuttingDown = true;
  }
}
