package io.loopscope.cluster;

import io.loopscope.config.LoopscopeConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * Builds a Vert.x instance whose event bus spans the Hazelcast cluster. The only class that names
 * Hazelcast's cluster manager: nothing loads Hazelcast while {@code cluster.enabled} is false.
 */
public final class ClusteredVertx {

  private ClusteredVertx() {
  }

  /** The event bus binds and advertises cluster.host too, so no cluster traffic reaches another interface. */
  public static EventBusOptions eventBusOptions(LoopscopeConfig.Cluster cluster) {
    return new EventBusOptions().setHost(cluster.host()).setPort(cluster.eventBusPort()).setClusterPublicHost(cluster.host());
  }

  /** Joins the cluster (the first member of a new cluster takes a few seconds: it looks for the others first). */
  public static Future<Vertx> build(VertxBuilder builder, LoopscopeConfig.Cluster cluster) {
    return builder.withClusterManager(new HazelcastClusterManager(HazelcastSettings.of(cluster))).buildClustered();
  }
}
