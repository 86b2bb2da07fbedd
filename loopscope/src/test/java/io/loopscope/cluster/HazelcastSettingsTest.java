package io.loopscope.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The member only ever binds cluster.host on one port, and finds its peers only where it is told to. */
class HazelcastSettingsTest {

  private static LoopscopeConfig.Cluster cluster(Map<String, ?> overrides) {
    return ConfigLoader.defaultsWith(overrides).cluster();
  }

  @Test
  void tcp_ip_join_with_the_listed_members_on_one_fixed_port_of_cluster_host_only() {
    Config config = HazelcastSettings.of(cluster(Map.of("cluster.host", "10.1.2.3", "cluster.port", 5801,
      "cluster.members", "10.1.2.3:5801,10.1.2.4:5801")));
    NetworkConfig network = config.getNetworkConfig();
    JoinConfig join = network.getJoin();

    assertThat(network.getPort()).isEqualTo(5801);
    assertThat(network.isPortAutoIncrement()).isFalse();
    assertThat(network.getInterfaces().isEnabled()).isTrue();
    assertThat(network.getInterfaces().getInterfaces()).containsExactly("10.1.2.3");
    assertThat(network.getPublicAddress()).isEqualTo("10.1.2.3:5801");
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.1.2.3:5801", "10.1.2.4:5801");
    assertThat(config.getProperty("hazelcast.wait.seconds.before.join")).isEqualTo("0");
  }

  @Test
  void membership_timings_come_from_the_configuration() {
    Config config = HazelcastSettings.of(cluster(Map.of("cluster.heartbeatIntervalSeconds", 2,
      "cluster.maxNoHeartbeatSeconds", 9)));
    assertThat(config.getProperty("hazelcast.heartbeat.interval.seconds")).isEqualTo("2");
    assertThat(config.getProperty("hazelcast.max.no.heartbeat.seconds")).isEqualTo("9");
  }

  @Test
  void a_service_dns_name_selects_kubernetes_dns_discovery_instead_of_the_member_list() {
    JoinConfig join = HazelcastSettings.of(cluster(Map.of("cluster.kubernetes.serviceDns",
      "loopscope-cluster.default.svc.cluster.local"))).getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperty("service-dns")).isEqualTo("loopscope-cluster.default.svc.cluster.local");
    assertThat(join.getKubernetesConfig().getProperty("service-port")).isEqualTo("5701");
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
  }
}
