package io.loopscope.k8s;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.testing.TestService;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

/** What the manifest tests ask of a Deployment's pod: its container, ports, labels, and the configuration it would load. */
final class Pods {

  /** What the downward API would give a pod (fieldRef), for the configuration checks. */
  static final Map<String, String> FIELDS = Map.of("status.podIP", "10.1.2.3", "metadata.name", "loopscope-7d4b9c-x2x8q");

  private Pods() {
  }

  /** The container named like its Deployment. */
  static Container container(Manifests view, String deployment) {
    return view.get(Deployment.class, deployment).getSpec().getTemplate().getSpec().getContainers().stream()
      .filter(c -> c.getName().equals("loopscope")).findFirst().orElseThrow();
  }

  static Map<String, String> labels(Manifests view, String deployment) {
    return view.get(Deployment.class, deployment).getSpec().getTemplate().getMetadata().getLabels();
  }

  /** A port given by name or number, as the container's port number. */
  static int containerPort(Container container, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName())).map(ContainerPort::getContainerPort)
      .findFirst().orElseThrow(() -> new AssertionError("no container port named " + port.getStrVal()));
  }

  static Volume volume(PodSpec pod, String name) {
    return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
      .orElseThrow(() -> new AssertionError("no volume " + name));
  }

  static Map<String, String> podLabels(Deployment deployment, Service service) {
    return podLabels(deployment.getSpec().getTemplate().getMetadata().getLabels(), service);
  }

  /** The pod's labels that the service selects on; equal to the selector only if the selector matches the pod. */
  static Map<String, String> podLabels(Map<String, String> labels, Service service) {
    Map<String, String> selected = new LinkedHashMap<>();
    service.getSpec().getSelector().keySet().forEach(key -> {
      if (labels.containsKey(key)) {
        selected.put(key, labels.get(key));
      }
    });
    return selected;
  }

  /** True when every label of the selector is on the pod. */
  static boolean selects(Map<String, String> selector, Map<String, String> podLabels) {
    return podLabels.entrySet().containsAll(selector.entrySet());
  }

  /**
   * The configuration the pod's process would load: the file its {@code --config} argument names, read
   * from the ConfigMap mounted there, and the environment the Deployment sets (Secret values and
   * downward-API fields resolved).
   */
  static LoopscopeConfig config(Manifests view, String deployment) throws IOException {
    PodSpec pod = view.get(Deployment.class, deployment).getSpec().getTemplate().getSpec();
    Container app = container(view, deployment);
    List<String> args = app.getArgs();
    Path configPath = Path.of(args.get(args.indexOf("--config") + 1));
    VolumeMount mount = app.getVolumeMounts().stream().filter(m -> configPath.startsWith(m.getMountPath())).findFirst()
      .orElseThrow(() -> new AssertionError("nothing is mounted at " + configPath));
    ConfigMap configMap = view.referenced(ConfigMap.class, volume(pod, mount.getName()).getConfigMap().getName());
    String yaml = configMap.getData().get(Path.of(mount.getMountPath()).relativize(configPath).toString());
    assertThat(yaml).as("the config file in the ConfigMap").isNotNull();

    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar var : app.getEnv()) {
      env.put(var.getName(), value(view, var));
    }
    Path file = Files.createTempFile("pod-config", ".yaml");
    try {
      Files.writeString(file, yaml);
      return ConfigLoader.load(Optional.of(file), env, new Properties());
    } finally {
      Files.delete(file);
    }
  }

  private static String value(Manifests view, EnvVar var) {
    if (var.getValue() != null) {
      return var.getValue();
    }
    if (var.getValueFrom().getFieldRef() != null) {
      String field = var.getValueFrom().getFieldRef().getFieldPath();
      assertThat(FIELDS).as("a downward-API field the tests know").containsKey(field);
      return FIELDS.get(field);
    }
    Secret secret = view.referenced(Secret.class, var.getValueFrom().getSecretKeyRef().getName());
    return Manifests.secretValue(secret, var.getValueFrom().getSecretKeyRef().getKey());
  }

  /** GET on the admin port of a running service: does the path exist there? */
  static int adminStatus(String path) throws IOException, InterruptedException {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + TestService.shared().adminPort() + path))
      .timeout(Duration.ofSeconds(10)).build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}
