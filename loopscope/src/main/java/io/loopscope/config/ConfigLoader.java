package io.loopscope.config;

import io.loopscope.core.Causes;

import io.vertx.config.ConfigRetriever;
import io.vertx.config.ConfigRetrieverOptions;
import io.vertx.config.ConfigStoreOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Reads the configuration: the documented defaults shipped in the jar, then a YAML file
 * ({@code --config FILE}, else {@code conf/loopscope.yaml} when present), then environment
 * variables ({@code LOOPSCOPE_HTTP_PORT}), then system properties ({@code -Dhttp.port} or
 * {@code -Dloopscope.http.port}). Every key must be one the defaults name.
 */
public final class ConfigLoader {

  /**
   * Classpath copy of conf/loopscope.yaml. Its folder keeps a same-named file in the working directory
   * from shadowing it, and holds nothing else: Vert.x unpacks a classpath file's whole parent folders
   * to its cache before reading it (under io/ that would be every class in the jar, seconds of start-up).
   */
  static final String DEFAULTS = "loopscope-defaults/loopscope.yaml";
  static final Path LOCAL_FILE = Path.of("conf", "loopscope.yaml");
  static final String ENV_PREFIX = "LOOPSCOPE_";
  static final String PROPERTY_PREFIX = "loopscope.";

  private ConfigLoader() {
  }

  /** The configuration a plain start sees: process environment and system properties. */
  public static LoopscopeConfig load(Optional<Path> file) {
    return load(file, System.getenv(), System.getProperties());
  }

  public static LoopscopeConfig load(Optional<Path> file, Map<String, String> env, Properties sysProps) {
    Optional<Path> source = file.or(() -> Files.isRegularFile(LOCAL_FILE) ? Optional.of(LOCAL_FILE) : Optional.empty());
    source.filter(path -> !Files.isRegularFile(path)).ifPresent(path -> {
      throw new ConfigException("--config", "no such file: " + path);
    });
    List<JsonObject> read = readYaml(source.map(path -> List.of(DEFAULTS, path.toString())).orElse(List.of(DEFAULTS)));
    Map<String, Object> merged = flatten(read.get(0));
    source.ifPresent(path -> overlay(merged, flatten(read.get(1)), "in " + path));
    overlay(merged, fromEnv(merged, env), "from the environment");
    overlay(merged, fromSysProps(merged, sysProps), "from system properties");
    return LoopscopeConfig.from(unflatten(merged));
  }

  /** Every configuration key, dotted ({@code http.port}), as the shipped defaults name them. */
  public static SortedSet<String> keys() {
    return new TreeSet<>(flatten(readDefaults()).keySet());
  }

  /** The defaults alone, as the jar ships them. */
  public static LoopscopeConfig defaults() {
    return LoopscopeConfig.from(readDefaults());
  }

  /** The defaults with the given dotted keys overridden (tests and embedding). */
  public static LoopscopeConfig defaultsWith(Map<String, ?> overrides) {
    return withOverrides(readDefaults(), overrides);
  }

  static LoopscopeConfig withOverrides(JsonObject base, Map<String, ?> overrides) {
    Map<String, Object> merged = flatten(base);
    overlay(merged, new LinkedHashMap<>(overrides), "in the overrides");
    return LoopscopeConfig.from(unflatten(merged));
  }

  /** The effective configuration as sorted key=value lines, with the password in db.url masked. */
  public static String describe(LoopscopeConfig config) {
    StringBuilder out = new StringBuilder();
    new TreeMap<>(flatten(config.json())).forEach((key, value) ->
      out.append(key).append('=').append(key.equals("db.url") ? maskPassword(String.valueOf(value)) : value).append('\n'));
    return out.toString().stripTrailing();
  }

  static String maskPassword(String url) {
    return url.replaceFirst("^([a-z]+://[^:/@]+):[^@]*@", "$1:****@");
  }

  private static JsonObject readDefaults() {
    return readYaml(List.of(DEFAULTS)).get(0);
  }

  /**
   * Reads each YAML file with vertx-config. It needs a Vert.x instance, and the real one cannot exist
   * before its options are read: a tiny one reads them all, then goes.
   */
  private static List<JsonObject> readYaml(List<String> paths) {
    Vertx bootstrap = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    try {
      List<JsonObject> read = new ArrayList<>();
      for (String path : paths) {
        read.add(readYaml(bootstrap, path));
      }
      return read;
    } finally {
      bootstrap.close().await();
    }
  }

  private static JsonObject readYaml(Vertx bootstrap, String path) {
    ConfigStoreOptions store = new ConfigStoreOptions().setType("file").setFormat("yaml").setConfig(new JsonObject().put("path", path));
    // read once: no periodic re-scan that could outlive the bootstrap instance
    ConfigRetriever retriever = ConfigRetriever.create(bootstrap,
      new ConfigRetrieverOptions().setIncludeDefaultStores(false).setScanPeriod(-1).addStore(store));
    try {
      return retriever.getConfig().await();
    } catch (Exception e) {
      throw new ConfigException(path, "cannot be read as YAML (" + Causes.rootMessage(e) + ")");
    } finally {
      retriever.close();
    }
  }

  private static void overlay(Map<String, Object> target, Map<String, Object> source, String where) {
    source.forEach((key, value) -> {
      if (!target.containsKey(key)) {
        throw new ConfigException(key, "unknown key " + where);
      }
      target.put(key, value);
    });
  }

  /** LOOPSCOPE_DB_EMBEDDED_DATADIR -> db.embedded.dataDir. Unknown LOOPSCOPE_ variables are ignored: Kubernetes injects LOOPSCOPE_SERVICE_HOST and friends. */
  private static Map<String, Object> fromEnv(Map<String, Object> known, Map<String, String> env) {
    Map<String, String> byEnvName = new LinkedHashMap<>();
    known.keySet().forEach(key -> byEnvName.put(envName(key), key));
    Map<String, Object> out = new LinkedHashMap<>();
    env.forEach((name, value) -> {
      String key = byEnvName.get(name);
      if (key != null) {
        out.put(key, value);
      }
    });
    return out;
  }

  public static String envName(String key) {
    return ENV_PREFIX + key.replace('.', '_').toUpperCase(Locale.ROOT);
  }

  /** -Dloopscope.http.port must name a key; a bare -Dhttp.port counts only when it does (the JVM sets many others). */
  private static Map<String, Object> fromSysProps(Map<String, Object> known, Properties props) {
    Map<String, Object> out = new LinkedHashMap<>();
    for (String name : props.stringPropertyNames()) {
      if (name.startsWith(PROPERTY_PREFIX)) {
        out.put(name.substring(PROPERTY_PREFIX.length()), props.getProperty(name));
      } else if (known.containsKey(name)) {
        out.put(name, props.getProperty(name));
      }
    }
    return out;
  }

  static Map<String, Object> flatten(JsonObject json) {
    Map<String, Object> out = new LinkedHashMap<>();
    flatten("", json, out);
    return out;
  }

  private static void flatten(String prefix, JsonObject json, Map<String, Object> out) {
    json.forEach(entry -> {
      String key = prefix + entry.getKey();
      if (entry.getValue() instanceof JsonObject nested) {
        flatten(key + ".", nested, out);
      } else {
        out.put(key, entry.getValue());
      }
    });
  }

  static JsonObject unflatten(Map<String, Object> flat) {
    JsonObject root = new JsonObject();
    flat.forEach((key, value) -> {
      String[] parts = key.split("\\.");
      JsonObject node = root;
      for (int i = 0; i < parts.length - 1; i++) {
        JsonObject child = node.getJsonObject(parts[i]);
        if (child == null) {
          child = new JsonObject();
          node.put(parts[i], child);
        }
        node = child;
      }
      node.put(parts[parts.length - 1], value);
    });
    return root;
  }
}
