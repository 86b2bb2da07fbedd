package io.loopscope.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.loopscope.config.ConfigLoader;
import io.loopscope.app.GracefulShutdown;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.testing.ServiceProcess;
import io.loopscope.testing.TestService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The kustomize base in k8s/ as Kubernetes would take it, checked against the service it deploys:
 * every test runs on the offline view and, where kubectl is installed, on {@code kubectl kustomize k8s}.
 */
class KubernetesManifestsTest {

  private static final String APP = "loopscope";
  private static final String POSTGRES = "loopscope-postgres";
  /** What the JVM needs outside the heap (metaspace, thread stacks, Netty's direct buffers). */
  private static final long NON_HEAP_BYTES = 256L * 1024 * 1024;

  static List<Manifests> views() {
    return Manifests.views();
  }

  @ParameterizedTest
  @MethodSource("views")
  void every_object_parses_into_the_typed_model(Manifests view) {
    Set<String> objects = view.objects().stream()
      .map(o -> o.getKind() + " " + Manifests.baseName(o))
      .collect(Collectors.toSet());
    assertThat(objects).containsExactlyInAnyOrder(
      "Deployment loopscope", "Service loopscope", "Service loopscope-admin", "ConfigMap loopscope-config",
      "Secret loopscope-db", "Service loopscope-postgres", "StatefulSet loopscope-postgres", "Secret loopscope-postgres",
      "PodDisruptionBudget loopscope", "HorizontalPodAutoscaler loopscope");
  }

  @Test
  void the_typed_model_rejects_an_unknown_field() {
    Map<String, Object> container = Map.of("name", "x", "image", "x", "imagePullPolise", "Always");
    Map<String, Object> deployment = Map.of("apiVersion", "apps/v1", "kind", "Deployment", "metadata", Map.of("name", "x"),
      "spec", Map.of("template", Map.of("spec", Map.of("containers", List.of(container)))));
    assertThatThrownBy(() -> Manifests.typed(deployment)).hasMessageContaining("imagePullPolise");
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_deployment_runs_two_replicas_of_the_image_the_pom_builds(Manifests view) {
    Deployment deployment = view.get(Deployment.class, APP);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
      .containsAllEntriesOf(deployment.getSpec().getSelector().getMatchLabels());
    assertThat(app(view).getImage()).isEqualTo(Pom.read().image()).isEqualTo(Pom.read().jibTarget());
  }

  @ParameterizedTest
  @MethodSource("views")
  void probes_ask_admin_routes_on_the_admin_port(Manifests view) throws Exception {
    Container app = app(view);
    LoopscopeConfig config = podConfig(view);
    assertThat(app.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/health/live");
    assertThat(app.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/health/ready");
    for (Probe probe : List.of(app.getStartupProbe(), app.getLivenessProbe(), app.getReadinessProbe())) {
      HTTPGetAction get = probe.getHttpGet();
      assertThat(Pods.containerPort(app, get.getPort())).as("probe port of %s", get.getPath()).isEqualTo(config.admin().port());
      assertThat(Pods.adminStatus(get.getPath())).as("GET %s on the admin server", get.getPath()).isEqualTo(200);
    }
  }

  @ParameterizedTest
  @MethodSource("views")
  void every_env_var_the_deployment_sets_is_a_config_key(Manifests view) {
    PodSpec pod = view.get(Deployment.class, APP).getSpec().getTemplate().getSpec();
    Set<String> configEnvNames = ConfigLoader.keys().stream().map(ConfigLoader::envName).collect(Collectors.toSet());
    assertThat(app(view).getEnv()).isNotEmpty();
    assertThat(app(view).getEnv()).extracting(EnvVar::getName).allSatisfy(name -> assertThat(configEnvNames).contains(name));
    assertThat(app(view).getEnvFrom()).isEmpty();
    // Kubernetes would otherwise add LOOPSCOPE_SERVICE_HOST and friends, in the service's own env prefix
    assertThat(pod.getEnableServiceLinks()).isFalse();
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_pod_configuration_loads_and_matches_the_container_ports(Manifests view) throws IOException {
    LoopscopeConfig config = podConfig(view);
    assertThat(Pods.containerPort(app(view), new IntOrString("http"))).isEqualTo(config.http().port());
    assertThat(Pods.containerPort(app(view), new IntOrString("admin"))).isEqualTo(config.admin().port());
    assertThat(config.http().host()).isEqualTo("0.0.0.0");
    assertThat(config.admin().host()).isEqualTo("0.0.0.0");
    assertThat(config.log().format()).isEqualTo("json");
    assertThat(config.db().url()).startsWith("postgresql://");
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_public_service_exposes_http_and_never_the_admin_port(Manifests view) throws IOException {
    Service service = view.get(Service.class, APP);
    LoopscopeConfig config = podConfig(view);
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getPorts()).hasSize(1);
    ServicePort port = service.getSpec().getPorts().get(0);
    assertThat(port.getPort()).isEqualTo(80);
    assertThat(Pods.containerPort(app(view), port.getTargetPort())).isEqualTo(config.http().port());
    assertThat(service.getSpec().getPorts()).allSatisfy(p -> {
      assertThat(p.getPort()).isNotEqualTo(config.admin().port());
      assertThat(Pods.containerPort(app(view), p.getTargetPort())).isNotEqualTo(config.admin().port());
    });
    assertThat(service.getSpec().getSelector()).isEqualTo(Pods.podLabels(view.get(Deployment.class, APP), service));
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_admin_service_is_scraped_at_metrics(Manifests view) throws Exception {
    Service admin = view.get(Service.class, "loopscope-admin");
    LoopscopeConfig config = podConfig(view);
    Map<String, String> annotations = admin.getMetadata().getAnnotations();
    assertThat(annotations).containsEntry("prometheus.io/scrape", "true")
      .containsEntry("prometheus.io/port", String.valueOf(config.admin().port()));
    assertThat(admin.getSpec().getPorts()).singleElement()
      .satisfies(p -> assertThat(Pods.containerPort(app(view), p.getTargetPort())).isEqualTo(config.admin().port()));
    assertThat(Pods.adminStatus(annotations.get("prometheus.io/path"))).isEqualTo(200);
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_grace_period_covers_pre_stop_readiness_delay_drain_and_close(Manifests view) throws IOException {
    PodSpec pod = view.get(Deployment.class, APP).getSpec().getTemplate().getSpec();
    List<String> preStop = app(view).getLifecycle().getPreStop().getExec().getCommand();
    assertThat(preStop).hasSize(2).startsWith("sleep");
    long preStopMs = Long.parseLong(preStop.get(1)) * 1000;
    long neededMs = preStopMs + GracefulShutdown.budgetMs(podConfig(view).shutdown());
    assertThat(pod.getTerminationGracePeriodSeconds() * 1000).isGreaterThanOrEqualTo(neededMs)
      // and not so much larger that a stuck pod lingers for no reason
      .isLessThanOrEqualTo(neededMs + 10_000);
  }

  @ParameterizedTest
  @MethodSource("views")
  void every_container_runs_as_non_root_with_a_read_only_root_and_no_capabilities(Manifests view) {
    List<PodSpec> pods = List.of(view.get(Deployment.class, APP).getSpec().getTemplate().getSpec(),
      view.get(StatefulSet.class, POSTGRES).getSpec().getTemplate().getSpec());
    for (PodSpec pod : pods) {
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
      assertThat(pod.getAutomountServiceAccountToken()).isFalse();
      for (Container container : pod.getContainers()) {
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).as(container.getName()).containsExactly("ALL");
        assertThat(container.getResources().getLimits()).as(container.getName()).containsKey("memory");
        VolumeMount tmp = container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/tmp")).findFirst()
          .orElseThrow(() -> new AssertionError(container.getName() + " has no writable /tmp"));
        assertThat(Pods.volume(pod, tmp.getName()).getEmptyDir()).isNotNull();
      }
    }
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_database_url_points_at_the_bundled_postgres(Manifests view) throws IOException {
    StatefulSet postgres = view.get(StatefulSet.class, POSTGRES);
    Service headless = view.get(Service.class, POSTGRES);
    Container db = postgres.getSpec().getTemplate().getSpec().getContainers().get(0);
    Secret credentials = view.referenced(Secret.class, db.getEnvFrom().get(0).getSecretRef().getName());
    URI url = URI.create(podConfig(view).db().url());

    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(postgres.getSpec().getServiceName()).isEqualTo(headless.getMetadata().getName());
    assertThat(postgres.getSpec().getVolumeClaimTemplates()).singleElement()
      .satisfies(claim -> assertThat(db.getVolumeMounts()).extracting(VolumeMount::getName).contains(claim.getMetadata().getName()));
    assertThat(url.getHost()).isEqualTo(headless.getMetadata().getName());
    assertThat(url.getPort()).isEqualTo(headless.getSpec().getPorts().get(0).getPort());
    assertThat(url.getUserInfo()).isEqualTo(Manifests.secretValue(credentials, "POSTGRES_USER") + ":"
      + Manifests.secretValue(credentials, "POSTGRES_PASSWORD"));
    assertThat(url.getPath()).isEqualTo("/" + Manifests.secretValue(credentials, "POSTGRES_DB"));
    assertThat(headless.getSpec().getSelector()).isEqualTo(Pods.podLabels(postgres.getSpec().getTemplate().getMetadata().getLabels(), headless));
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_disruption_budget_and_the_autoscaler_govern_the_deployment(Manifests view) {
    Deployment deployment = view.get(Deployment.class, APP);
    PodDisruptionBudget budget = view.get(PodDisruptionBudget.class, APP);
    HorizontalPodAutoscaler autoscaler = view.get(HorizontalPodAutoscaler.class, APP);

    assertThat(budget.getSpec().getMinAvailable()).isEqualTo(new IntOrString(1));
    assertThat(deployment.getSpec().getTemplate().getMetadata().getLabels())
      .containsAllEntriesOf(budget.getSpec().getSelector().getMatchLabels());
    assertThat(autoscaler.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(autoscaler.getSpec().getScaleTargetRef().getName()).isEqualTo(deployment.getMetadata().getName());
    assertThat(autoscaler.getSpec().getMinReplicas()).isEqualTo(deployment.getSpec().getReplicas());
    assertThat(autoscaler.getSpec().getMetrics()).singleElement()
      .satisfies(metric -> assertThat(metric.getResource().getName()).isEqualTo("cpu"));
    // utilisation is measured against the request
    assertThat(app(view).getResources().getRequests()).containsKey("cpu");
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_jib_image_fits_the_deployment(Manifests view) {
    Pom pom = Pom.read();
    PodSpec pod = view.get(Deployment.class, APP).getSpec().getTemplate().getSpec();
    Container app = app(view);

    assertThat(pom.jibBase()).startsWith("eclipse-temurin:17").endsWith("-jre");
    assertThat(pom.jibUser()).isEqualTo(pod.getSecurityContext().getRunAsUser() + ":" + pod.getSecurityContext().getRunAsGroup());
    assertThat(pom.jibPorts()).containsExactlyInAnyOrderElementsOf(
      app.getPorts().stream().map(p -> String.valueOf(p.getContainerPort())).toList());
    double heapShare = heapShare(pom);
    BigDecimal limit = Quantity.getAmountInBytes(app.getResources().getLimits().get("memory"));
    assertThat(limit.doubleValue() * (1 - heapShare)).as("memory the limit leaves outside the heap")
      .isGreaterThanOrEqualTo(NON_HEAP_BYTES);
    assertThat(app.getResources().getRequests().get("memory")).as("memory is guaranteed, never overcommitted")
      .isEqualTo(app.getResources().getLimits().get("memory"));
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_body_budget_is_a_quarter_of_the_heap_the_pod_memory_limit_gives(Manifests view) throws IOException {
    double heapShare = heapShare(Pom.read());
    BigDecimal limit = Quantity.getAmountInBytes(app(view).getResources().getLimits().get("memory"));
    long heap = (long) (limit.doubleValue() * heapShare);
    LoopscopeConfig config = podConfig(view);

    assertThat(config.http().bodyBudgetBytes()).as("http.bodyBudgetBytes in the ConfigMap").isEqualTo(heap / 4);
    assertThat(config.http().bodyBudgetBytes()).as("room for the largest body").isGreaterThanOrEqualTo(config.http().maxBodyBytes());
  }

  @ParameterizedTest
  @MethodSource("views")
  void the_integration_tests_run_the_jar_in_the_image_s_jvm(Manifests view) {
    Pom pom = Pom.read();
    BigDecimal limit = Quantity.getAmountInBytes(app(view).getResources().getLimits().get("memory"));
    long heapMiB = Math.round(limit.doubleValue() * heapShare(pom) / (1024 * 1024));
    List<String> imageFlags = pom.jibJvmFlags().stream()
      .map(flag -> flag.startsWith("-XX:MaxRAMPercentage=") ? "-Xmx" + heapMiB + "m"
        : flag.startsWith("-XX:InitialRAMPercentage=") ? "-Xms" + heapMiB + "m" : flag).toList();

    assertThat(ServiceProcess.IMAGE_JVM_FLAGS).containsExactlyInAnyOrderElementsOf(imageFlags);
  }

  @Test
  void the_image_commits_its_whole_heap_at_start() {
    // a heap that starts small stays small under load: G1 collects every second, and each pause lags the loops
    Pom pom = Pom.read();
    assertThat(percentage(pom, "-XX:InitialRAMPercentage=")).as("initial heap share").isEqualTo(heapShare(pom) * 100);
  }

  private static double heapShare(Pom pom) {
    return percentage(pom, "-XX:MaxRAMPercentage=") / 100;
  }

  private static double percentage(Pom pom, String flag) {
    String value = pom.jibJvmFlags().stream().filter(f -> f.startsWith(flag)).findFirst()
      .orElseThrow(() -> new AssertionError("the JVM must size its heap from the container (" + flag + ")"));
    return Double.parseDouble(value.substring(flag.length()));
  }

  @Test
  void kubectl_renders_the_same_objects_as_the_offline_view() {
    Optional<Manifests> rendered = Manifests.rendered();
    assumeTrue(rendered.isPresent(), "kubectl is not installed");
    assertThat(names(rendered.get())).isEqualTo(names(Manifests.offline()));
  }

  private static Set<String> names(Manifests view) {
    return view.objects().stream().map(o -> o.getKind() + " " + Manifests.baseName(o)).collect(Collectors.toSet());
  }

  private static Container app(Manifests view) {
    return Pods.container(view, APP);
  }

  private static LoopscopeConfig podConfig(Manifests view) throws IOException {
    return Pods.config(view, APP);
  }
}
