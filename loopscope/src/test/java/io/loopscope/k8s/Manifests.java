package io.loopscope.k8s;

import java.io.File;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBuilder;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

/**
 * The objects a kustomization in {@code k8s/} renders (the base, or the cluster overlay on top of it),
 * each parsed into the typed fabric8 model with unknown fields rejected. Two views of the same
 * kustomization: {@link #offline} reads the files it lists, runs its generators and applies its patches
 * itself (so the checks run where kubectl does not), and {@link #rendered} asks {@code kubectl kustomize}
 * when it is installed.
 */
final class Manifests {

  /** What {@code kubectl apply -k k8s} applies: {@code k8s/kustomization.yaml} names this base alone. */
  static final Path BASE = Path.of("k8s", "base");
  static final Path CLUSTER = Path.of("k8s", "overlays", "cluster");

  private static final Map<String, Class<? extends HasMetadata>> MODEL = Map.of(
    "v1/ConfigMap", ConfigMap.class,
    "v1/Secret", Secret.class,
    "v1/Service", Service.class,
    "apps/v1/Deployment", Deployment.class,
    "apps/v1/StatefulSet", StatefulSet.class,
    "policy/v1/PodDisruptionBudget", PodDisruptionBudget.class,
    "networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class,
    "autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class);

  /** What the offline view understands of a kustomization; anything else must be taught to it first. */
  private static final Set<String> KUSTOMIZATION_FIELDS = Set.of("apiVersion", "kind", "resources", "configMapGenerator",
    "secretGenerator", "patches");
  /** Strategic merge patching merges these lists item by item, by this key (as Kubernetes' patch strategy does). */
  private static final Map<String, String> MERGE_KEYS = Map.of("containers", "name", "env", "name", "ports", "containerPort",
    "volumes", "name", "volumeMounts", "mountPath");

  /**
   * fabric8 keeps unknown fields in every object's additionalProperties; without its any-setter, Jackson
   * fails on them instead, naming the field and where it is.
   */
  static final ObjectMapper STRICT = JsonMapper.builder()
    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
    .addModule(new SimpleModule().setDeserializerModifier(new BeanDeserializerModifier() {
      @Override
      public BeanDeserializerBuilder updateBuilder(DeserializationConfig config, BeanDescription description,
                                                   BeanDeserializerBuilder builder) {
        builder.setAnySetter(null);
        builder.setIgnoreUnknownProperties(false);
        return builder;
      }
    }))
    .build();

  private final String name;
  private final List<HasMetadata> objects;

  private Manifests(String name, List<HasMetadata> objects) {
    this.name = name;
    this.objects = List.copyOf(objects);
  }

  /** The base as this class reads it. */
  static Manifests offline() {
    return offline(BASE);
  }

  /** A kustomization as this class reads it. */
  static Manifests offline(Path dir) {
    return new Manifests("offline " + dir, untyped(dir).stream().map(Manifests::typed).toList());
  }

  /**
   * Resources (files, or directories holding a kustomization of their own), then a ConfigMap per
   * configMapGenerator and a Secret per secretGenerator, then each patch merged into the object of its kind and name.
   */
  private static List<Map<String, Object>> untyped(Path dir) {
    Map<String, Object> kustomization = single(dir.resolve("kustomization.yaml"));
    for (String field : kustomization.keySet()) {
      if (!KUSTOMIZATION_FIELDS.contains(field)) {
        throw new IllegalStateException(dir + "/kustomization.yaml uses '" + field + "', which Manifests.offline() does not render");
      }
    }
    List<Map<String, Object>> objects = new ArrayList<>();
    for (String resource : strings(kustomization.get("resources"))) {
      Path path = dir.resolve(resource).normalize();
      objects.addAll(Files.isDirectory(path) ? untyped(path) : documents(read(path)));
    }
    for (Map<String, Object> generator : maps(kustomization.get("configMapGenerator"))) {
      Map<String, Object> data = new LinkedHashMap<>();
      strings(generator.get("files")).forEach(file -> data.put(Path.of(file).getFileName().toString(), read(dir.resolve(file))));
      objects.add(Map.of("apiVersion", "v1", "kind", "ConfigMap", "metadata", Map.of("name", generator.get("name")),
        "data", data));
    }
    for (Map<String, Object> generator : maps(kustomization.get("secretGenerator"))) {
      Map<String, Object> data = new LinkedHashMap<>();
      strings(generator.get("literals")).forEach(literal -> {
        int equals = literal.indexOf('=');
        data.put(literal.substring(0, equals), base64(literal.substring(equals + 1)));
      });
      objects.add(Map.of("apiVersion", "v1", "kind", "Secret", "type", "Opaque",
        "metadata", Map.of("name", generator.get("name")), "data", data));
    }
    for (Map<String, Object> patch : maps(kustomization.get("patches"))) {
      for (Map<String, Object> document : documents(read(dir.resolve((String) patch.get("path"))))) {
        Map<String, Object> target = objects.stream().filter(object -> sameObject(object, document)).findFirst()
          .orElseThrow(() -> new IllegalStateException(patch.get("path") + " patches an object the resources do not have"));
        objects.set(objects.indexOf(target), merged(target, document));
      }
    }
    return objects;
  }

  private static boolean sameObject(Map<String, Object> a, Map<String, Object> b) {
    return a.get("kind").equals(b.get("kind")) && name(a).equals(name(b));
  }

  @SuppressWarnings("unchecked")
  private static Object name(Map<String, Object> object) {
    return ((Map<String, Object>) object.get("metadata")).get("name");
  }

  /** A strategic merge: maps key by key, the lists of {@link #MERGE_KEYS} item by item, anything else replaced. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> merged(Map<String, Object> target, Map<String, Object> patch) {
    Map<String, Object> out = new LinkedHashMap<>(target);
    patch.forEach((key, value) -> {
      Object current = out.get(key);
      if (current instanceof Map && value instanceof Map) {
        out.put(key, merged((Map<String, Object>) current, (Map<String, Object>) value));
      } else if (current instanceof List && value instanceof List && MERGE_KEYS.containsKey(key)) {
        out.put(key, mergedList((List<Map<String, Object>>) current, (List<Map<String, Object>>) value, MERGE_KEYS.get(key)));
      } else {
        out.put(key, value);
      }
    });
    return out;
  }

  private static List<Map<String, Object>> mergedList(List<Map<String, Object>> target, List<Map<String, Object>> patch,
                                                      String mergeKey) {
    List<Map<String, Object>> out = new ArrayList<>(target);
    for (Map<String, Object> item : patch) {
      int at = -1;
      for (int i = 0; i < out.size(); i++) {
        if (item.get(mergeKey).equals(out.get(i).get(mergeKey))) {
          at = i;
        }
      }
      if (at >= 0) {
        out.set(at, merged(out.get(at), item));
      } else {
        out.add(item);
      }
    }
    return out;
  }

  /** {@code kubectl kustomize k8s}, when kubectl is on the PATH. */
  static Optional<Manifests> rendered() {
    return rendered(BASE.getParent());
  }

  /** {@code kubectl kustomize DIR}, when kubectl is on the PATH. */
  static Optional<Manifests> rendered(Path dir) {
    Optional<Path> kubectl = onPath("kubectl");
    if (kubectl.isEmpty()) {
      return Optional.empty();
    }
    try {
      Path output = Files.createTempFile("kustomize", ".yaml");
      try {
        Process process = new ProcessBuilder(kubectl.get().toString(), "kustomize", dir.toString())
          .redirectOutput(output.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new IllegalStateException("kubectl kustomize took longer than 120 s");
        }
        if (process.exitValue() != 0) {
          throw new IllegalStateException("kubectl kustomize " + dir + " exited " + process.exitValue());
        }
        return Optional.of(new Manifests("kubectl kustomize " + dir, documents(Files.readString(output)).stream().map(Manifests::typed).toList()));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Every view this machine can produce: always the offline one, and kubectl's when it is there. */
  static List<Manifests> views() {
    return views(BASE, BASE.getParent());
  }

  /** The same for the cluster overlay. */
  static List<Manifests> clusterViews() {
    return views(CLUSTER, CLUSTER);
  }

  private static List<Manifests> views(Path offline, Path kustomized) {
    List<Manifests> views = new ArrayList<>(List.of(offline(offline)));
    rendered(kustomized).ifPresent(views::add);
    return views;
  }

  /** Parses one object into its typed model; unknown kinds and unknown fields fail. */
  static HasMetadata typed(Map<String, Object> document) {
    String type = document.get("apiVersion") + "/" + document.get("kind");
    Class<? extends HasMetadata> model = MODEL.get(type);
    if (model == null) {
      throw new IllegalArgumentException("no typed model for " + type + " (add it to Manifests.MODEL)");
    }
    return STRICT.convertValue(document, model);
  }

  List<HasMetadata> objects() {
    return objects;
  }

  <T extends HasMetadata> List<T> all(Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }

  /** The one object of this kind and name; generated names carry kustomize's hash suffix, which is ignored. */
  <T extends HasMetadata> T get(Class<T> kind, String objectName) {
    List<T> found = all(kind).stream().filter(o -> baseName(o).equals(objectName)).toList();
    if (found.size() != 1) {
      throw new AssertionError(name + ": expected one " + kind.getSimpleName() + " " + objectName + ", found " + found.size());
    }
    return found.get(0);
  }

  /** The object of this kind with exactly this name, as a reference in another object names it. */
  <T extends HasMetadata> T referenced(Class<T> kind, String objectName) {
    return all(kind).stream().filter(o -> o.getMetadata().getName().equals(objectName)).findFirst()
      .orElseThrow(() -> new AssertionError(name + ": nothing defines the " + kind.getSimpleName() + " " + objectName));
  }

  /** A Secret's value as the pod sees it. */
  static String secretValue(Secret secret, String key) {
    if (secret.getStringData() != null && secret.getStringData().containsKey(key)) {
      return secret.getStringData().get(key);
    }
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      throw new AssertionError("Secret " + secret.getMetadata().getName() + " has no key " + key);
    }
    return new String(Base64.getMimeDecoder().decode(encoded), StandardCharsets.UTF_8);
  }

  /** The name without kustomize's content-hash suffix ({@code loopscope-config-58cghbf4hk} -> {@code loopscope-config}). */
  static String baseName(HasMetadata object) {
    String objectName = object.getMetadata().getName();
    boolean generated = object instanceof ConfigMap || object instanceof Secret;
    return generated ? objectName.replaceFirst("-[a-z0-9]{10}$", "") : objectName;
  }

  @Override
  public String toString() {
    return name;
  }

  private static String base64(String value) {
    return Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8));
  }

  private static Optional<Path> onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    return List.of(path.split(File.pathSeparator)).stream()
      .map(dir -> Path.of(dir, program))
      .filter(Files::isExecutable)
      .findFirst();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<String, Object> single(Path file) {
    List<Map<String, Object>> documents = documents(read(file));
    if (documents.size() != 1) {
      throw new IllegalStateException(file + " must hold one YAML document");
    }
    return documents.get(0);
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> documents(String yaml) {
    return StreamSupport.stream(new Yaml().loadAll(yaml).spliterator(), false)
      .filter(document -> document != null)
      .map(document -> (Map<String, Object>) document)
      .toList();
  }

  @SuppressWarnings("unchecked")
  private static List<String> strings(Object list) {
    return list == null ? List.of() : (List<String>) list;
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> maps(Object list) {
    return list == null ? List.of() : (List<Map<String, Object>>) list;
  }
}
