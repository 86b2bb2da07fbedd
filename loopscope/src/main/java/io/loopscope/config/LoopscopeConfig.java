package io.loopscope.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The validated configuration, one record per section of conf/loopscope.yaml. Built once by
 * {@link #from(JsonObject)}, which fails with a {@link ConfigException} naming the first bad key.
 * Verticles receive {@link #json()} as their deployment config and rebuild the record from it.
 */
public record LoopscopeConfig(
  Http http, Admin admin, VertxCore vertx, Workers workers, Cpu cpu, Demo demo, Upstream upstream,
  Concurrency concurrency, Db db, Legacy legacy, Cluster cluster, Tasks tasks, Diagnostics diagnostics, Metrics metrics,
  Shutdown shutdown, Log log, VirtualThreads virtualThreads, Tracing tracing, JsonObject json) {

  public record Http(String host, int port, int instances, long maxBodyBytes, long bodyBudgetBytes, int shedHeapPercent,
                     Connections connections) {
    /** The body budget in bytes: the configured one, or a quarter of the max heap when it is 0. */
    public long effectiveBodyBudgetBytes() {
      return bodyBudgetBytes > 0 ? bodyBudgetBytes : Runtime.getRuntime().maxMemory() / 4;
    }
  }

  public record Admin(String host, int port, Connections connections) {
  }

  /** How long a server waits for each part of a request, and how many connections it keeps open. */
  public record Connections(int headerTimeoutMs, int bodyTimeoutMs, int idleTimeoutMs, int maxConnections) {
  }

  /** The main Vert.x instance: its event loops, and whether it uses Linux epoll where it can (else Java NIO). */
  public record VertxCore(int eventLoops, boolean nativeTransport) {
  }

  public record Workers(int blockingPoolSize) {
  }

  public record Cpu(int poolSize, int maxItems, int maxQueued) {
  }

  public record Demo(int maxDelayMs, boolean badExampleEnabled) {
  }

  public record Upstream(String baseUrl, String host, int port, int latencyMs, double failureRate, int timeoutMs,
                         int maxConnections) {
    /** True when loopscope starts its own simulator rather than calling {@link #baseUrl()}. */
    public boolean simulated() {
      return baseUrl.isEmpty();
    }
  }

  public record Concurrency(int maxFanOut) {
  }

  public record Db(String url, String urlFile, int poolSize, int timeoutMs, Embedded embedded) {
    public record Embedded(String dataDir, boolean ephemeral, int port) {
    }
  }

  public record Legacy(int instances, int timeoutMs) {
  }

  /** {@code members} is the parsed {@code host:port} list; an empty {@code kubernetesServiceDns} means TCP-IP join. */
  public record Cluster(boolean enabled, String nodeName, String host, int port, int eventBusPort, List<String> members,
                        String kubernetesServiceDns, int heartbeatIntervalSeconds, int maxNoHeartbeatSeconds,
                        int joinTimeoutSeconds) {
    /** This node's name: cluster.nodeName, else {@code <hostname>-<pid>} (resolved once, on first use). */
    public String node() {
      return nodeName.isEmpty() ? DefaultNodeName.NAME : nodeName;
    }

    private static final class DefaultNodeName {
      static final String NAME = hostName() + "-" + ProcessHandle.current().pid();

      private static String hostName() {
        String host = System.getenv().getOrDefault("HOSTNAME", "");
        if (!host.isEmpty()) {
          return host;
        }
        try {
          return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
          return "localhost";
        }
      }
    }
  }

  public record Tasks(int maxQueued, int concurrency, int maxBodyBytes, int leaseSeconds) {
  }

  public record Diagnostics(boolean enabled, int blockThresholdMs, int checkIntervalMs, int workerBlockThresholdMs,
                            int maxReports, int readyMaxStallMs, int liveMaxStallMs, int queueThresholdMs, int busyWarnMs,
                            int repeatedStalls) {
  }

  public record Metrics(boolean enabled) {
  }

  public record Shutdown(int readinessDelayMs, int drainTimeoutMs) {
  }

  public record Log(String format, boolean access) {
  }

  /** The virtual-thread verticles behind /vt (Java 21+). */
  public record VirtualThreads(int instances) {
  }

  /**
   * OpenTelemetry tracing of the API, off by default. {@code sampler} is one of {@link #SAMPLERS}, or
   * {@code traceidratio:<0..1>} / {@code parentbased_traceidratio:<0..1>}.
   */
  public record Tracing(boolean enabled, String otlpEndpoint, String sampler) {
    public static final List<String> SAMPLERS = List.of("always_on", "always_off", "parentbased_always_on",
      "parentbased_always_off");
    public static final List<String> RATIO_SAMPLERS = List.of("traceidratio", "parentbased_traceidratio");
  }

  public static LoopscopeConfig from(JsonObject json) {
    Values v = new Values(json);
    int cores = Runtime.getRuntime().availableProcessors();
    return new LoopscopeConfig(
      new Http(v.host("http.host"), v.port("http.port"), v.intIn("http.instances", 0, 1024),
        v.longIn("http.maxBodyBytes", 1, Integer.MAX_VALUE), v.longIn("http.bodyBudgetBytes", 0, Long.MAX_VALUE),
        v.intIn("http.shedHeapPercent", 1, 100), connections(v, "http")),
      new Admin(v.host("admin.host"), v.port("admin.port"), connections(v, "admin")),
      new VertxCore(v.intIn("vertx.eventLoops", 0, 1024), v.bool("vertx.nativeTransport")),
      new Workers(v.intIn("workers.blockingPoolSize", 1, 10_000)),
      new Cpu(orDefault(v.intIn("cpu.poolSize", 0, 1024), cores), v.intIn("cpu.maxItems", 1, 50_000_000),
        v.intIn("cpu.maxQueued", 1, 1_000_000)),
      new Demo(v.intIn("demo.maxDelayMs", 0, 3_600_000), v.bool("demo.badExample.enabled")),
      new Upstream(v.baseUrl("upstream.baseUrl"), v.host("upstream.host"), v.port("upstream.port"),
        v.intIn("upstream.latencyMs", 0, 3_600_000), v.doubleIn("upstream.failureRate", 0, 1),
        v.intIn("upstream.timeoutMs", 1, 3_600_000), v.intIn("upstream.maxConnections", 1, 100_000)),
      new Concurrency(v.intIn("concurrency.maxFanOut", 1, 10_000)),
      new Db(v.string("db.url"), v.string("db.urlFile"), v.intIn("db.poolSize", 1, 1_000),
        v.intIn("db.timeoutMs", 1, 3_600_000),
        new Db.Embedded(v.nonEmpty("db.embedded.dataDir"), v.bool("db.embedded.ephemeral"), v.port("db.embedded.port"))),
      legacy(v),
      cluster(v),
      new Tasks(v.intIn("tasks.maxQueued", 1, 10_000_000), v.intIn("tasks.concurrency", 1, 1_000),
        v.intIn("tasks.maxBodyBytes", 1, 64 * 1024 * 1024), v.intIn("tasks.leaseSeconds", 3, 3_600)),
      new Diagnostics(v.bool("diagnostics.enabled"), v.intIn("diagnostics.blockThresholdMs", 1, 3_600_000),
        v.intIn("diagnostics.checkIntervalMs", 1, 60_000), v.intIn("diagnostics.workerBlockThresholdMs", 1, 86_400_000),
        v.intIn("diagnostics.maxReports", 1, 1_000_000), v.intIn("diagnostics.readyMaxStallMs", 1, 3_600_000),
        v.intIn("diagnostics.liveMaxStallMs", 1, 86_400_000), v.intIn("diagnostics.queueThresholdMs", 1, 3_600_000),
        v.intIn("diagnostics.busyWarnMs", 1, 3_600_000), v.intIn("diagnostics.repeatedStalls", 2, 1_000_000)),
      new Metrics(v.bool("metrics.enabled")),
      new Shutdown(v.intIn("shutdown.readinessDelayMs", 0, 3_600_000), v.intIn("shutdown.drainTimeoutMs", 0, 3_600_000)),
      new Log(v.oneOf("log.format", List.of("text", "json")), v.bool("log.access")),
      new VirtualThreads(v.intIn("virtualThreads.instances", 1, 4096)),
      tracing(v),
      json.copy());
  }

  private static Connections connections(Values v, String server) {
    return new Connections(v.intIn(server + ".headerTimeoutMs", 1, 60_000), v.intIn(server + ".bodyTimeoutMs", 1, 3_600_000),
      v.intIn(server + ".idleTimeoutMs", 1, 3_600_000), v.intIn(server + ".maxConnections", 1, 1_000_000));
  }

  private static Legacy legacy(Values v) {
    Legacy legacy = new Legacy(v.intIn("legacy.instances", 0, 1_000), v.intIn("legacy.timeoutMs", 1, 3_600_000));
    if (legacy.instances() == 0 && !v.bool("cluster.enabled")) {
      throw new ConfigException("legacy.instances", "0 needs cluster.enabled=true (worker nodes serve the legacy calls)");
    }
    return legacy;
  }

  private static Cluster cluster(Values v) {
    int heartbeat = v.intIn("cluster.heartbeatIntervalSeconds", 1, 60);
    int maxNoHeartbeat = v.intIn("cluster.maxNoHeartbeatSeconds", 1, 600);
    if (maxNoHeartbeat <= heartbeat) {
      throw new ConfigException("cluster.maxNoHeartbeatSeconds", "must be longer than cluster.heartbeatIntervalSeconds");
    }
    return new Cluster(v.bool("cluster.enabled"), v.string("cluster.nodeName"), v.host("cluster.host"),
      v.port("cluster.port"), v.port("cluster.eventBusPort"), v.members("cluster.members"),
      v.string("cluster.kubernetes.serviceDns"), heartbeat, maxNoHeartbeat, v.intIn("cluster.joinTimeoutSeconds", 1, 60));
  }

  private static Tracing tracing(Values v) {
    Tracing tracing = new Tracing(v.bool("tracing.enabled"), v.baseUrl("tracing.otlpEndpoint"), v.sampler("tracing.sampler"));
    if (tracing.enabled() && tracing.otlpEndpoint().isEmpty()) {
      throw new ConfigException("tracing.otlpEndpoint", "must be set when tracing.enabled=true");
    }
    return tracing;
  }

  private static int orDefault(int value, int fallback) {
    return value == 0 ? fallback : value;
  }

  /** This configuration with some dotted keys changed (tests, demo). */
  public LoopscopeConfig with(Map<String, ?> overrides) {
    return ConfigLoader.withOverrides(json, overrides);
  }

  /** Reads typed values by dotted key; every problem names the key. */
  private static final class Values {
    private final JsonObject json;

    Values(JsonObject json) {
      this.json = json;
    }

    private Object raw(String key) {
      String[] parts = key.split("\\.");
      JsonObject node = json;
      for (int i = 0; i < parts.length - 1; i++) {
        Object child = node.getValue(parts[i]);
        if (!(child instanceof JsonObject object)) {
          throw new ConfigException(key, "missing");
        }
        node = object;
      }
      if (!node.containsKey(parts[parts.length - 1])) {
        throw new ConfigException(key, "missing");
      }
      return node.getValue(parts[parts.length - 1]);
    }

    String string(String key) {
      Object value = raw(key);
      if (value == null) {
        return "";
      }
      if (value instanceof JsonObject || value instanceof JsonArray) {
        throw new ConfigException(key, "must be a single value");
      }
      return value.toString().trim();
    }

    String nonEmpty(String key) {
      String value = string(key);
      if (value.isEmpty()) {
        throw new ConfigException(key, "must not be empty");
      }
      return value;
    }

    String host(String key) {
      String value = nonEmpty(key);
      if (!value.matches("[A-Za-z0-9.:\\-\\[\\]]+")) {
        throw new ConfigException(key, "'" + value + "' is not a host name or address");
      }
      return value;
    }

    String baseUrl(String key) {
      String value = string(key);
      if (!value.isEmpty() && !value.matches("https?://[^\\s/]+(/\\S*)?")) {
        throw new ConfigException(key, "'" + value + "' is not an http(s) URL");
      }
      return value.endsWith("/") ? value.substring(0, value.length() - 1) : value;
    }

    long longIn(String key, long min, long max) {
      Object value = raw(key);
      long parsed;
      if (value instanceof Integer || value instanceof Long) {
        parsed = ((Number) value).longValue();
      } else {
        try {
          parsed = Long.parseLong(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
          throw new ConfigException(key, "'" + value + "' is not an integer");
        }
      }
      if (parsed < min || parsed > max) {
        throw new ConfigException(key, parsed + " is out of range (" + min + ".." + max + ")");
      }
      return parsed;
    }

    int intIn(String key, int min, int max) {
      return (int) longIn(key, min, max);
    }

    /** {@code "a:5701, b:5701"} -> [a:5701, b:5701]; each must be host:port. */
    List<String> members(String key) {
      List<String> members = java.util.Arrays.stream(string(key).split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList();
      for (String member : members) {
        if (!member.matches("[A-Za-z0-9.\\-]+:\\d{1,5}")) {
          throw new ConfigException(key, "'" + member + "' is not host:port");
        }
      }
      return members;
    }

    int port(String key) {
      return intIn(key, 0, 65_535);
    }

    double doubleIn(String key, double min, double max) {
      Object value = raw(key);
      double parsed;
      if (value instanceof Number number) {
        parsed = number.doubleValue();
      } else {
        try {
          parsed = Double.parseDouble(String.valueOf(value).trim());
        } catch (NumberFormatException e) {
          throw new ConfigException(key, "'" + value + "' is not a number");
        }
      }
      if (!(parsed >= min && parsed <= max)) {
        throw new ConfigException(key, value + " is out of range (" + min + ".." + max + ")");
      }
      return parsed;
    }

    boolean bool(String key) {
      Object value = raw(key);
      if (value instanceof Boolean b) {
        return b;
      }
      String text = String.valueOf(value).trim().toLowerCase(Locale.ROOT);
      return switch (text) {
        case "true" -> true;
        case "false" -> false;
        default -> throw new ConfigException(key, "'" + value + "' is not true or false");
      };
    }

    /** {@code always_on}, ..., or a ratio sampler with its ratio: {@code traceidratio:0.1}. */
    String sampler(String key) {
      String value = string(key).toLowerCase(Locale.ROOT);
      int colon = value.indexOf(':');
      boolean known = colon < 0 ? Tracing.SAMPLERS.contains(value)
        : Tracing.RATIO_SAMPLERS.contains(value.substring(0, colon)) && ratio(value.substring(colon + 1));
      if (known) {
        return value;
      }
      throw new ConfigException(key, "'" + value + "' is not one of " + String.join(", ", Tracing.SAMPLERS)
        + ", traceidratio:<0..1>, parentbased_traceidratio:<0..1>");
    }

    private static boolean ratio(String text) {
      try {
        double ratio = Double.parseDouble(text);
        return ratio >= 0 && ratio <= 1;
      } catch (NumberFormatException e) {
        return false;
      }
    }

    String oneOf(String key, List<String> allowed) {
      String value = string(key).toLowerCase(Locale.ROOT);
      if (!allowed.contains(value)) {
        throw new ConfigException(key, "'" + value + "' is not one of " + String.join(", ", allowed));
      }
      return value;
    }
  }
}
