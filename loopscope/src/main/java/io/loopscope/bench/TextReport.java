package io.loopscope.bench;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** The results as text: the article's line per target, then latencies and errors; or the suite's table. */
public final class TextReport {

  private TextReport() {
  }

  /** {@code /test/sync: 10.23s, 9.8 req/s, 100/100 success}, then percentiles and errors. */
  public static void printTargets(PrintWriter out, List<EndpointResult> results, LoadSettings settings) {
    for (EndpointResult result : results) {
      out.println(articleLine(result));
      out.println("  latency " + (settings.mode() == LoadSettings.Mode.OPEN_LOOP ? "(from each request's scheduled time) " : "")
        + "p50 " + ms(result.latencyMs(50)) + ", p90 " + ms(result.latencyMs(90)) + ", p99 " + ms(result.latencyMs(99))
        + ", max " + ms(result.maxLatencyMs()));
      out.println("  errors: " + errors(result));
      if (settings.mode() == LoadSettings.Mode.OPEN_LOOP) {
        out.println(String.format(Locale.ROOT, "  rate: %.1f req/s scheduled, %d of %d sent", settings.rate(),
          result.completed(), result.requested()));
      }
    }
    out.flush();
  }

  public static String articleLine(EndpointResult result) {
    return String.format(Locale.ROOT, "%s: %.2fs, %.1f req/s, %d/%d success%s", result.target().label(),
      result.elapsedSeconds(), result.requestsPerSecond(), result.succeeded(), result.requested(),
      result.interrupted() ? " (interrupted)" : "");
  }

  /** The article's table with percentiles and the ratio to the physical limit. */
  public static void printSuite(PrintWriter out, List<EndpointResult> results, LoadSettings settings, ArticleSuite suite) {
    int width = Math.max(8, results.stream().mapToInt(r -> r.target().label().length()).max().orElse(8));
    String row = "%-" + width + "s %9s %9s %9s %10s %10s %9s  %s%n";
    out.printf(Locale.ROOT, row, "endpoint", "elapsed", "req/s", "success", "p50", "p99", "vs limit", "errors");
    for (EndpointResult r : results) {
      out.printf(Locale.ROOT, row, r.target().label(), String.format(Locale.ROOT, "%.2fs", r.elapsedSeconds()),
        String.format(Locale.ROOT, "%.1f", r.requestsPerSecond()), r.succeeded() + "/" + r.requested(),
        ms(r.latencyMs(50)), ms(r.latencyMs(99)), String.format(Locale.ROOT, "x%.1f", suite.limitRatio(r, settings)),
        errors(r) + (r.interrupted() ? " (interrupted)" : ""));
    }
    out.printf(Locale.ROOT, "physical limit: %d requests x %d ms / concurrency %d = %.2fs%n", settings.requests(),
      suite.latencyMs(), settings.concurrency(), suite.physicalLimit(settings).toMillis() / 1000.0);
    out.flush();
  }

  /** {@code HTTP 500 x3, timeout x1}, or {@code none}. */
  static String errors(EndpointResult result) {
    if (result.errors().isEmpty()) {
      return "none";
    }
    return result.errors().entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
  }

  /** Milliseconds with sensible precision: 0.42 ms, 4.2 ms, 104 ms, 2.51 s. */
  public static String ms(double millis) {
    if (millis >= 1000) {
      return String.format(Locale.ROOT, "%.2f s", millis / 1000);
    }
    if (millis >= 100) {
      return String.format(Locale.ROOT, "%.0f ms", millis);
    }
    if (millis >= 10) {
      return String.format(Locale.ROOT, "%.1f ms", millis);
    }
    return String.format(Locale.ROOT, "%.2f ms", millis);
  }
}
