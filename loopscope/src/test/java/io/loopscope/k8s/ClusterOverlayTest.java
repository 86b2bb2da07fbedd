package io.loopscope.k8s;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.cli.WorkerCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * k8s/overlays/cluster: the base plus worker pods on a Hazelcast-clustered event bus. Every test runs on
 * the offline rendering and, where kubectl is installed, on {@code kubectl kustomize k8s/overlays/cluster}.
 */
class ClusterOverlayTest {

  private static final String API = "loopscope";
  private static final String WORKER = "loopscope-worker";
  private static final String DISCOVERY = "loopscope-cluster";

  static List<Manifests> views() {
    return Manifests.clusterViews();
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_overlay_adds_workers_discovery_a_budget_and_a_network_policy_to_the_base(Manifests view) {
    Set<String> base = names(Manifests.offline());
    Set<String> overlay = names(view);
    assertThat(overlay).containsAll(base);
    assertThat(overlay).hasSize(base.size() + 5).contains("Deployment " + WORKER, "Service " + DISCOVERY,
      "Service loopscope-worker-admin", "PodDisruptionBudget " + WORKER, "NetworkPolicy " + DISCOVERY);
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_api_pods_join_the_cluster_and_leave_the_legacy_calls_to_the_workers(Manifests view) throws IOException {
    LoopscopeConfig config = Pods.config(view, API);
    Container api = Pods.container(view, API);
    assertThat(config.cluster().enabled()).isTrue();
    assertThat(config.legacy().instances()).isZero();
    assertThat(config.cluster().host()).as("the pod IP").isEqualTo(Pods.FIELDS.get("status.podIP"));
    assertThat(config.cluster().kubernetesServiceDns()).isEqualTo(DISCOVERY);
    assertThat(Pods.containerPort(api, new IntOrString("hazelcast"))).isEqualTo(config.cluster().port());
    assertThat(Pods.containerPort(api, new IntOrString("eventbus"))).isEqualTo(config.cluster().eventBusPort());
    assertThat(Pods.container(view, API).getArgs()).startsWith("serve");
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_workers_run_loopscope_worker_on_the_database_with_probes_on_the_admin_port(Manifests view) throws Exception {
    Container worker = Pods.container(view, WORKER);
    LoopscopeConfig config = WorkerCommand.workerConfig(Pods.config(view, WORKER));
    Set<String> configEnvNames = ConfigLoader.keys().stream().map(ConfigLoader::envName).collect(Collectors.toSet());

    assertThat(worker.getArgs()).startsWith("worker");
    assertThat(worker.getEnv()).allSatisfy(env -> assertThat(configEnvNames).contains(env.getName()));
    assertThat(config.db().url()).isEqualTo(Pods.config(view, API).db().url());
    assertThat(config.legacy().instances()).isPositive();
    assertThat(config.cluster().kubernetesServiceDns()).isEqualTo(DISCOVERY);
    assertThat(Pods.containerPort(worker, new IntOrString("hazelcast"))).isEqualTo(config.cluster().port());
    assertThat(Pods.containerPort(worker, new IntOrString("eventbus"))).isEqualTo(config.cluster().eventBusPort());
    for (Probe probe : List.of(worker.getStartupProbe(), worker.getLivenessProbe(), worker.getReadinessProbe())) {
      assertThat(Pods.containerPort(worker, probe.getHttpGet().getPort())).isEqualTo(config.admin().port());
      assertThat(Pods.adminStatus(probe.getHttpGet().getPath())).isEqualTo(200);
    }
    assertThat(worker.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(worker.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_discovery_service_is_headless_and_matches_both_api_and_worker_pods(Manifests view) throws IOException {
    Service discovery = view.get(Service.class, DISCOVERY);
    assertThat(discovery.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(discovery.getSpec().getPublishNotReadyAddresses()).as("pods are found before they are ready").isTrue();
    assertThat(Pods.selects(discovery.getSpec().getSelector(), Pods.labels(view, API))).isTrue();
    assertThat(Pods.selects(discovery.getSpec().getSelector(), Pods.labels(view, WORKER))).isTrue();
    assertThat(discovery.getSpec().getPorts()).singleElement().satisfies(port -> {
      assertThat(port.getPort()).isEqualTo(Pods.config(view, API).cluster().port());
      assertThat(Pods.containerPort(Pods.container(view, WORKER), port.getTargetPort())).isEqualTo(port.getPort());
    });
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_public_service_still_exposes_only_8080_of_the_api_pods(Manifests view) throws IOException {
    Service service = view.get(Service.class, API);
    assertThat(service.getSpec().getPorts()).singleElement()
      .satisfies(port -> assertThat(Pods.containerPort(Pods.container(view, API), port.getTargetPort())).isEqualTo(8080));
    assertThat(Pods.selects(service.getSpec().getSelector(), Pods.labels(view, API))).isTrue();
    assertThat(Pods.selects(service.getSpec().getSelector(), Pods.labels(view, WORKER))).as("no worker behind the API").isFalse();
    assertThat(view.get(Service.class, "loopscope-admin").getSpec().getPorts()).extracting(p -> p.getPort()).containsExactly(9090);
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_worker_budget_keeps_one_worker_and_selects_no_api_pod(Manifests view) {
    PodDisruptionBudget budget = view.get(PodDisruptionBudget.class, WORKER);
    Map<String, String> selector = budget.getSpec().getSelector().getMatchLabels();
    assertThat(budget.getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
    assertThat(view.get(Deployment.class, WORKER).getSpec().getReplicas()).isGreaterThan(1);
    assertThat(Pods.selects(selector, Pods.labels(view, WORKER))).isTrue();
    assertThat(Pods.selects(selector, Pods.labels(view, API))).isFalse();
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_network_policy_lets_only_loopscope_pods_reach_the_cluster_ports(Manifests view) throws IOException {
    NetworkPolicy policy = view.get(NetworkPolicy.class, DISCOVERY);
    LoopscopeConfig config = Pods.config(view, API);
    Set<Integer> clusterPorts = Set.of(config.cluster().port(), config.cluster().eventBusPort());
    Map<String, String> podSelector = policy.getSpec().getPodSelector().getMatchLabels();

    assertThat(policy.getSpec().getPolicyTypes()).contains("Ingress");
    assertThat(Pods.selects(podSelector, Pods.labels(view, API))).isTrue();
    assertThat(Pods.selects(podSelector, Pods.labels(view, WORKER))).isTrue();
    List<NetworkPolicyIngressRule> reachingClusterPorts = policy.getSpec().getIngress().stream()
      .filter(rule -> rule.getPorts() == null || rule.getPorts().stream().anyMatch(p -> clusterPorts.contains(port(p)))).toList();
    assertThat(reachingClusterPorts).as("rules that open the Hazelcast or event-bus port").singleElement().satisfies(rule -> {
      assertThat(rule.getFrom()).isNotEmpty().allSatisfy(peer -> {
        assertThat(peer.getIpBlock()).isNull();
        assertThat(peer.getNamespaceSelector()).isNull();
        assertThat(Pods.selects(peer.getPodSelector().getMatchLabels(), Pods.labels(view, API))).isTrue();
        assertThat(Pods.selects(peer.getPodSelector().getMatchLabels(), Pods.labels(view, WORKER))).isTrue();
      });
      assertThat(rule.getPorts()).extracting(ClusterOverlayTest::port).containsExactlyInAnyOrderElementsOf(clusterPorts);
    });
    assertThat(policy.getSpec().getIngress()).filteredOn(rule -> rule.getFrom() == null || rule.getFrom().isEmpty())
      .as("open to anyone: the API port alone")
      .allSatisfy(rule -> assertThat(rule.getPorts()).extracting(ClusterOverlayTest::port).containsExactly(config.http().port()));
  }

  @Test
  void kubectl_renders_the_same_objects_as_the_offline_view() {
    Optional<Manifests> rendered = Manifests.rendered(Manifests.CLUSTER);
    assumeTrue(rendered.isPresent(), "kubectl is not installed");
    assertThat(names(rendered.get())).isEqualTo(names(Manifests.offline(Manifests.CLUSTER)));
  }

  private static int port(NetworkPolicyPort port) {
    return port.getPort().getIntVal();
  }

  private static Set<String> names(Manifests view) {
    return view.objects().stream().map(o -> o.getKind() + " " + Manifests.baseName(o)).collect(Collectors.toSet());
  }
}
