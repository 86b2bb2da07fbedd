package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;

import java.time.Instant;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * LoopWatch across the cluster. Each node publishes its blocked reports (as each starts and as it ends) and,
 * each second, a summary of itself (lag p99, stall count) on the clustered event bus; each node keeps what
 * every node published, so any admin port can answer for the whole fleet. A node drops out of the list once
 * Hazelcast no longer counts it as a member or it has been silent for {@value #SILENT_NODE_MS} ms.
 * Deployed only when the cluster is on; undeployed, it answers for this node alone.
 */
public final class FleetWatch extends VerticleBase {

  public static final String BLOCKED_ADDRESS = "loopscope.loopwatch.blocked";
  public static final String NODES_ADDRESS = "loopscope.loopwatch.nodes";
  static final long SUMMARY_INTERVAL_MS = 1_000;
  static final long SILENT_NODE_MS = 3_500;

  private record Heard(JsonObject summary, long atNanos) {
  }

  private final String node;
  private final String role;
  private final LoopWatch loopWatch;
  private final Map<String, Heard> nodes = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> reports;
  private volatile boolean running;
  private Runnable unsubscribe;
  private long timer;

  /**
   * @param maxReports reports kept from the whole fleet, the oldest dropped first
   */
  public FleetWatch(String node, String role, LoopWatch loopWatch, int maxReports) {
    this.node = node;
    this.role = role;
    this.loopWatch = loopWatch;
    this.reports = new LinkedHashMap<>() {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, JsonObject> eldest) {
        return size() > maxReports;
      }
    };
  }

  @Override
  public Future<?> start() {
    MessageConsumer<JsonObject> blocked = vertx.eventBus().consumer(BLOCKED_ADDRESS, message -> remember(message.body()));
    MessageConsumer<JsonObject> summaries = vertx.eventBus().consumer(NODES_ADDRESS,
      message -> nodes.put(message.body().getString("node"), new Heard(message.body(), System.nanoTime())));
    return Future.all(blocked.completion(), summaries.completion()).onSuccess(registered -> {
      running = true;
      unsubscribe = loopWatch.subscribe(event -> {
        if ("blocked".equals(event.type())) {
          vertx.eventBus().publish(BLOCKED_ADDRESS, withNode(event.data()));
        }
      });
      publishSummary();
      timer = vertx.setPeriodic(SUMMARY_INTERVAL_MS, tick -> publishSummary());
    });
  }

  @Override
  public Future<?> stop() {
    running = false;
    vertx.cancelTimer(timer);
    if (unsubscribe != null) {
      unsubscribe.run();
    }
    return Future.succeededFuture();
  }

  public String node() {
    return node;
  }

  private void publishSummary() {
    vertx.eventBus().publish(NODES_ADDRESS, summary());
  }

  /** This node now: its name, role, cluster member id, worst 10-s lag p99 and stalls since start. */
  JsonObject summary() {
    return new JsonObject()
      .put("node", node)
      .put("role", role)
      .put("memberId", running ? memberId() : null)
      .put("lagP99Ms", loopWatch.lagP99Ms())
      .put("stalls", loopWatch.stallCount());
  }

  private String memberId() {
    return clusterManager().getNodeId();
  }

  private ClusterManager clusterManager() {
    return ((VertxInternal) vertx).clusterManager();
  }

  private JsonObject withNode(JsonObject report) {
    return report.copy().put("node", node);
  }

  /** A report's end replaces its start, in place. */
  private synchronized void remember(JsonObject report) {
    reports.put(report.getString("node") + "/" + report.getLong("id"), report);
  }

  /** Forgets the reports heard from the fleet (here only: the other nodes keep theirs). */
  public synchronized void reset() {
    reports.clear();
  }

  /** This node's reports (scope local) or every node's (scope cluster), newest first, each with {@code node}. */
  public List<JsonObject> reports(boolean cluster, int limit, String route) {
    if (!cluster || !running) {
      return loopWatch.reports(limit, route).stream().map(report -> withNode(report.toJson())).toList();
    }
    List<JsonObject> newestFirst;
    synchronized (this) {
      newestFirst = new ArrayList<>(reports.values());
    }
    newestFirst.sort(Comparator.comparing((JsonObject report) -> Instant.parse(report.getString("startedAt"))).reversed());
    return newestFirst.stream().filter(report -> route == null || route.equals(report.getString("route"))).limit(limit).toList();
  }

  /** The live members, by name, each with how long ago it was last heard from. */
  public List<JsonObject> nodes() {
    if (!running) {
      return List.of(summary().put("lastSeenMs", 0));
    }
    Collection<String> live = clusterManager().getNodes();
    long now = System.nanoTime();
    nodes.values().removeIf(heard -> TimeUnit.NANOSECONDS.toMillis(now - heard.atNanos()) > SILENT_NODE_MS
      || !live.contains(heard.summary().getString("memberId")));
    return nodes.values().stream()
      .map(heard -> heard.summary().copy().put("lastSeenMs", TimeUnit.NANOSECONDS.toMillis(now - heard.atNanos())))
      .sorted(Comparator.comparing(summary -> summary.getString("node")))
      .toList();
  }
}
