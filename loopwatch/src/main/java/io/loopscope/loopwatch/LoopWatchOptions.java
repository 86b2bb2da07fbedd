package io.loopscope.loopwatch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What LoopWatch watches for and how it names what it finds: the thresholds past which a dispatch is a stall,
 * how often it looks, how many reports it keeps, the health limits, the application's own package prefixes
 * (a report's culprit is the innermost frame in them) and the prefix of its metric names. Converts to and from
 * JSON with the same keys as the setters ({@code {"blockThresholdMs": 100, "applicationPackages": ["com.acme."]}});
 * unknown keys are ignored. The defaults suit a service; tests use tighter thresholds.
 */
public class LoopWatchOptions {

  /** The metric prefix when none is given: {@code loopwatch.eventloop.lag}, {@code loopwatch.blocked}, ... */
  public static final String DEFAULT_METRIC_PREFIX = "loopwatch";
  /** Where {@link LoopWatchRoutes#mount} serves the reports. */
  public static final String DEFAULT_REPORTS_PATH = LoopWatchRoutes.BASE + "/blocked";

  private boolean enabled = true;
  private int blockThresholdMs = 100;
  private int checkIntervalMs = 20;
  private int workerBlockThresholdMs = 60_000;
  private int maxReports = 500;
  private int readyMaxStallMs = 1_000;
  private int liveMaxStallMs = 30_000;
  private int queueThresholdMs = 100;
  private int busyWarnMs = 10;
  private int repeatedStalls = 3;
  private List<String> applicationPackages = new ArrayList<>();
  private String metricPrefix = DEFAULT_METRIC_PREFIX;
  private String reportsPath = DEFAULT_REPORTS_PATH;
  private boolean traced;

  /** The defaults. */
  public LoopWatchOptions() {
  }

  /** A copy of {@code other}. */
  public LoopWatchOptions(LoopWatchOptions other) {
    this(other.toJson());
  }

  /** From JSON with the setters' names as keys; a missing key keeps its default. */
  public LoopWatchOptions(JsonObject json) {
    enabled = json.getBoolean("enabled", enabled);
    blockThresholdMs = json.getInteger("blockThresholdMs", blockThresholdMs);
    checkIntervalMs = json.getInteger("checkIntervalMs", checkIntervalMs);
    workerBlockThresholdMs = json.getInteger("workerBlockThresholdMs", workerBlockThresholdMs);
    maxReports = json.getInteger("maxReports", maxReports);
    readyMaxStallMs = json.getInteger("readyMaxStallMs", readyMaxStallMs);
    liveMaxStallMs = json.getInteger("liveMaxStallMs", liveMaxStallMs);
    queueThresholdMs = json.getInteger("queueThresholdMs", queueThresholdMs);
    busyWarnMs = json.getInteger("busyWarnMs", busyWarnMs);
    repeatedStalls = json.getInteger("repeatedStalls", repeatedStalls);
    JsonArray packages = json.getJsonArray("applicationPackages");
    if (packages != null) {
      applicationPackages = new ArrayList<>();
      packages.forEach(prefix -> applicationPackages.add(String.valueOf(prefix)));
    }
    metricPrefix = json.getString("metricPrefix", metricPrefix);
    reportsPath = json.getString("reportsPath", reportsPath);
    traced = json.getBoolean("traced", traced);
  }

  /** The same keys the JSON constructor reads. */
  public JsonObject toJson() {
    return new JsonObject()
      .put("enabled", enabled)
      .put("blockThresholdMs", blockThresholdMs)
      .put("checkIntervalMs", checkIntervalMs)
      .put("workerBlockThresholdMs", workerBlockThresholdMs)
      .put("maxReports", maxReports)
      .put("readyMaxStallMs", readyMaxStallMs)
      .put("liveMaxStallMs", liveMaxStallMs)
      .put("queueThresholdMs", queueThresholdMs)
      .put("busyWarnMs", busyWarnMs)
      .put("repeatedStalls", repeatedStalls)
      .put("applicationPackages", new JsonArray(new ArrayList<>(applicationPackages)))
      .put("metricPrefix", metricPrefix)
      .put("reportsPath", reportsPath)
      .put("traced", traced);
  }

  public boolean isEnabled() {
    return enabled;
  }

  /** Off: {@link LoopWatch#configure} and {@link LoopWatch#metricsFactory} leave Vert.x as it is. */
  public LoopWatchOptions setEnabled(boolean enabled) {
    this.enabled = enabled;
    return this;
  }

  public int getBlockThresholdMs() {
    return blockThresholdMs;
  }

  /** An event loop busy this long in one dispatch is reported as blocked (default 100). */
  public LoopWatchOptions setBlockThresholdMs(int blockThresholdMs) {
    this.blockThresholdMs = positive("blockThresholdMs", blockThresholdMs);
    return this;
  }

  public int getCheckIntervalMs() {
    return checkIntervalMs;
  }

  /** How often the checker looks and the lag probes beat (default 20). */
  public LoopWatchOptions setCheckIntervalMs(int checkIntervalMs) {
    this.checkIntervalMs = positive("checkIntervalMs", checkIntervalMs);
    return this;
  }

  public int getWorkerBlockThresholdMs() {
    return workerBlockThresholdMs;
  }

  /** A worker thread busy this long is reported as blocked (default 60000). */
  public LoopWatchOptions setWorkerBlockThresholdMs(int workerBlockThresholdMs) {
    this.workerBlockThresholdMs = positive("workerBlockThresholdMs", workerBlockThresholdMs);
    return this;
  }

  public int getMaxReports() {
    return maxReports;
  }

  /** Reports kept in memory, the newest (default 500). */
  public LoopWatchOptions setMaxReports(int maxReports) {
    this.maxReports = positive("maxReports", maxReports);
    return this;
  }

  public int getReadyMaxStallMs() {
    return readyMaxStallMs;
  }

  /** Readiness is DOWN while a loop is stalled (or its 10-s lag p99 is) longer than this (default 1000). */
  public LoopWatchOptions setReadyMaxStallMs(int readyMaxStallMs) {
    this.readyMaxStallMs = positive("readyMaxStallMs", readyMaxStallMs);
    return this;
  }

  public int getLiveMaxStallMs() {
    return liveMaxStallMs;
  }

  /** Liveness is DOWN while a loop is stalled longer than this (default 30000). */
  public LoopWatchOptions setLiveMaxStallMs(int liveMaxStallMs) {
    this.liveMaxStallMs = positive("liveMaxStallMs", liveMaxStallMs);
    return this;
  }

  public int getQueueThresholdMs() {
    return queueThresholdMs;
  }

  /** Work waiting this long in a pool's queue raises a pool warning (default 100). */
  public LoopWatchOptions setQueueThresholdMs(int queueThresholdMs) {
    this.queueThresholdMs = positive("queueThresholdMs", queueThresholdMs);
    return this;
  }

  public int getBusyWarnMs() {
    return busyWarnMs;
  }

  /** A route whose loop busy p99 over 60 s exceeds this, 20 requests or more over it, raises busy-route (default 10). */
  public LoopWatchOptions setBusyWarnMs(int busyWarnMs) {
    this.busyWarnMs = positive("busyWarnMs", busyWarnMs);
    return this;
  }

  public int getRepeatedStalls() {
    return repeatedStalls;
  }

  /** This many stalls of one route or timer within 60 s raise repeated-stall (default 3). */
  public LoopWatchOptions setRepeatedStalls(int repeatedStalls) {
    this.repeatedStalls = positive("repeatedStalls", repeatedStalls);
    return this;
  }

  public List<String> getApplicationPackages() {
    return applicationPackages;
  }

  /**
   * The application's own package prefixes ({@code "com.acme."}): a report's culprit is the innermost frame in
   * them, and its stack is trimmed below the outermost. Empty (the default): every frame outside the JDK, Netty
   * and Vert.x is the application's.
   */
  public LoopWatchOptions setApplicationPackages(List<String> applicationPackages) {
    this.applicationPackages = new ArrayList<>(Objects.requireNonNull(applicationPackages, "applicationPackages"));
    return this;
  }

  /** Adds one prefix to {@link #setApplicationPackages}. */
  public LoopWatchOptions addApplicationPackage(String prefix) {
    applicationPackages.add(Objects.requireNonNull(prefix, "prefix"));
    return this;
  }

  public String getMetricPrefix() {
    return metricPrefix;
  }

  /** The first part of every metric name ({@code <prefix>.eventloop.lag}, Prometheus {@code <prefix>_eventloop_lag_seconds}). */
  public LoopWatchOptions setMetricPrefix(String metricPrefix) {
    this.metricPrefix = nonBlank("metricPrefix", metricPrefix);
    return this;
  }

  public String getReportsPath() {
    return reportsPath;
  }

  /**
   * Where the application serves the reports, named in each stall's WARN line ({@code report 3 at <path>}); default
   * {@value #DEFAULT_REPORTS_PATH}, where {@link LoopWatchRoutes#mount} puts them.
   */
  public LoopWatchOptions setReportsPath(String reportsPath) {
    this.reportsPath = nonBlank("reportsPath", reportsPath);
    return this;
  }

  public boolean isTraced() {
    return traced;
  }

  /**
   * Vert.x runs with an OpenTelemetry tracer: reports name their culprit's trace and span and their victims'
   * traces, and the culprit's span gets an {@code eventloop.stall} event (default false).
   */
  public LoopWatchOptions setTraced(boolean traced) {
    this.traced = traced;
    return this;
  }

  private static int positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, not " + value);
    }
    return value;
  }

  private static String nonBlank(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
    return value;
  }

  @Override
  public String toString() {
    return toJson().encode();
  }
}
