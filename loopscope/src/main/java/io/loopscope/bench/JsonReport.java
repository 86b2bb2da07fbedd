package io.loopscope.bench;

import io.loopscope.core.BuildInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

import java.time.Instant;
import java.util.List;

/** The results as JSON, in the shape {@code bench/report.schema.json} describes; the HTML report draws from it. */
public final class JsonReport {

  /** Points per halving of the distance to 100 %: about 100 points even for millions of requests. */
  private static final int TICKS_PER_HALF_DISTANCE = 4;

  private JsonReport() {
  }

  /** @param suite the article suite the results came from, or null */
  public static JsonObject of(List<EndpointResult> results, LoadSettings settings, ArticleSuite suite) {
    JsonObject report = new JsonObject()
      .put("tool", "loopscope bench")
      .put("version", BuildInfo.version())
      .put("createdAt", Instant.now().toString())
      .put("settings", settings(settings))
      .put("interrupted", results.stream().anyMatch(EndpointResult::interrupted));
    if (suite != null) {
      report.put("suite", new JsonObject()
        .put("name", ArticleSuite.NAME)
        .put("baseUrl", suite.baseUrl())
        .put("latencyMs", suite.latencyMs())
        .put("physicalLimitMs", suite.physicalLimit(settings).toMillis()));
    }
    JsonArray targets = new JsonArray();
    results.forEach(result -> targets.add(result(result, settings, suite)));
    return report.put("results", targets);
  }

  private static JsonObject settings(LoadSettings settings) {
    JsonObject json = new JsonObject()
      .put("mode", settings.mode().id())
      .put("concurrency", settings.concurrency())
      .put("method", settings.method().name())
      .put("timeoutMs", settings.timeout().toMillis())
      .put("warmupMs", settings.warmup().toMillis())
      .put("eventLoops", settings.eventLoops());
    switch (settings.mode()) {
      case BURST -> json.put("requests", settings.requests());
      case CLOSED_LOOP -> json.put("durationMs", settings.duration().toMillis());
      case OPEN_LOOP -> json.put("durationMs", settings.duration().toMillis()).put("rate", settings.rate());
    }
    return json;
  }

  private static JsonObject result(EndpointResult result, LoadSettings settings, ArticleSuite suite) {
    JsonObject errors = new JsonObject();
    result.errors().forEach(errors::put);
    JsonObject json = new JsonObject()
      .put("label", result.target().label())
      .put("url", result.target().url())
      .put("mode", result.mode().id())
      .put("startedAt", result.startedAt().toString())
      .put("elapsedMs", round(result.elapsedNanos() / 1e6))
      .put("requested", result.requested())
      .put("completed", result.completed())
      .put("succeeded", result.succeeded())
      .put("failed", result.failed())
      .put("requestsPerSecond", round(result.requestsPerSecond()))
      .put("interrupted", result.interrupted())
      .put("errors", errors)
      .put("latencyMs", new JsonObject()
        .put("min", result.latencyMicros().getTotalCount() == 0 ? 0.0 : result.latencyMicros().getMinValue() / 1000.0)
        .put("mean", round(result.meanLatencyMs()))
        .put("p50", result.latencyMs(50))
        .put("p90", result.latencyMs(90))
        .put("p99", result.latencyMs(99))
        .put("p999", result.latencyMs(99.9))
        .put("max", result.maxLatencyMs()))
      .put("percentiles", percentiles(result.latencyMicros()));
    if (suite != null) {
      json.put("limitRatio", round(suite.limitRatio(result, settings)));
    }
    return json;
  }

  /** The latency distribution by percentile, as HdrHistogram plots it. */
  private static JsonArray percentiles(Histogram histogram) {
    JsonArray points = new JsonArray();
    if (histogram.getTotalCount() == 0) {
      return points;
    }
    for (HistogramIterationValue value : histogram.percentiles(TICKS_PER_HALF_DISTANCE)) {
      points.add(new JsonObject()
        .put("percentile", value.getPercentileLevelIteratedTo())
        .put("latencyMs", value.getValueIteratedTo() / 1000.0));
    }
    return points;
  }

  private static double round(double value) {
    return Math.round(value * 1000) / 1000.0;
  }
}
