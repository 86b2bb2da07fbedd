package io.loopscope.cluster;

import io.loopscope.config.LoopscopeConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.spi.properties.ClusterProperty;

/**
 * The Hazelcast member configuration from {@code cluster.*}: the member binds and advertises
 * {@code cluster.host} only, on one fixed port; it finds its peers by the TCP-IP member list or by a
 * Kubernetes headless Service's DNS, never by multicast or auto-detection. The maps Vert.x keeps its
 * subscriptions and node information in get the backups vertx-hazelcast's own default file gives them.
 */
public final class HazelcastSettings {

  static final String SUBSCRIPTIONS = "__vertx.subs";
  static final String NODE_INFO = "__vertx.nodeInfo";
  static final String HA_INFO = "__vertx.haInfo";
  static final String CLUSTER_NAME = "loopscope";

  private HazelcastSettings() {
  }

  public static Config of(LoopscopeConfig.Cluster cluster) {
    Config config = new Config().setClusterName(CLUSTER_NAME).setInstanceName(cluster.node());
    config.setProperty(ClusterProperty.WAIT_SECONDS_BEFORE_JOIN.getName(), "0");
    config.setProperty(ClusterProperty.HEARTBEAT_INTERVAL_SECONDS.getName(), String.valueOf(cluster.heartbeatIntervalSeconds()));
    config.setProperty(ClusterProperty.MAX_NO_HEARTBEAT_SECONDS.getName(), String.valueOf(cluster.maxNoHeartbeatSeconds()));
    config.setProperty(ClusterProperty.PHONE_HOME_ENABLED.getName(), "false");
    config.setProperty(ClusterProperty.LOGGING_TYPE.getName(), "slf4j");
    config.getMultiMapConfig(SUBSCRIPTIONS).setBackupCount(1).setValueCollectionType(MultiMapConfig.ValueCollectionType.SET);
    config.getMapConfig(NODE_INFO).setBackupCount(1);
    config.getMapConfig(HA_INFO).setBackupCount(1);
    network(config.getNetworkConfig(), cluster);
    return config;
  }

  private static void network(NetworkConfig network, LoopscopeConfig.Cluster cluster) {
    network.setPort(cluster.port()).setPortAutoIncrement(false).setPublicAddress(cluster.host() + ":" + cluster.port());
    network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (!cluster.kubernetesServiceDns().isEmpty()) {
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", cluster.kubernetesServiceDns())
        .setProperty("service-port", String.valueOf(cluster.port()));
    } else {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members())
        .setConnectionTimeoutSeconds(cluster.joinTimeoutSeconds());
    }
  }
}
