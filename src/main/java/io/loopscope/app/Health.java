package io.loopscope.app;

import io.vertx.core.Vertx;
import io.vertx.ext.healthchecks.HealthChecks;

/**
 * The liveness and readiness checks the admin server answers. They live on the admin Vert.x
 * instance, so a blocked API event loop cannot stop them from answering.
 */
public final class Health {

  private final HealthChecks liveness;
  private final HealthChecks readiness;

  public Health(Vertx adminVertx) {
    this.liveness = HealthChecks.create(adminVertx);
    this.readiness = HealthChecks.create(adminVertx);
  }

  /** DOWN means: restart this process. */
  public HealthChecks liveness() {
    return liveness;
  }

  /** DOWN means: send no traffic here for now. */
  public HealthChecks readiness() {
    return readiness;
  }
}
