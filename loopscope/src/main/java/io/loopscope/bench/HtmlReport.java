package io.loopscope.bench;

import io.loopscope.core.BuildInfo;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One self-contained HTML page from a {@link JsonReport}: the summary table, a req/s bar chart and a
 * latency-by-percentile chart per endpoint. uPlot's script and style are inlined from its webjar, so
 * the page needs no network.
 */
public final class HtmlReport {

  private static final Pattern SCRIPT_END = Pattern.compile("</(script)", Pattern.CASE_INSENSITIVE);

  private HtmlReport() {
  }

  public static String render(JsonObject report) {
    JsonArray results = report.getJsonArray("results");
    StringBuilder page = new StringBuilder(256 * 1024);
    page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
      .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
      .append("<title>loopscope bench report</title>\n")
      .append("<style>\n").append(resource(BuildInfo.uplotRoot() + "/dist/uPlot.min.css")).append("\n</style>\n")
      .append("<style>\n").append(resource("bench/report.css")).append("</style>\n</head>\n<body>\n")
      .append("<h1>loopscope bench report</h1>\n")
      .append("<p class=\"meta\">").append(escape(describe(report))).append("</p>\n");
    summary(page, report, results);
    page.append("<h2>Throughput</h2>\n<div class=\"chart\" data-chart=\"throughput\"></div>\n")
      .append("<h2>Latency by percentile</h2>\n<div class=\"charts\">\n");
    for (int i = 0; i < results.size(); i++) {
      String label = escape(results.getJsonObject(i).getString("label"));
      page.append("<figure class=\"endpoint\" data-endpoint=\"").append(label).append("\">")
        .append("<figcaption>").append(label).append("</figcaption>")
        .append("<div class=\"chart\" data-chart=\"latency\" data-index=\"").append(i).append("\"></div></figure>\n");
    }
    page.append("</div>\n");
    blockedThreads(page, report.getJsonArray("blockedThreads"));
    page.append("<script type=\"application/json\" id=\"report-data\">").append(inScript(report.encode())).append("</script>\n")
      .append("<script>\n").append(inScript(resource(BuildInfo.uplotRoot() + "/dist/uPlot.iife.min.js"))).append("\n</script>\n")
      .append("<script>\n").append(inScript(resource("bench/report.js"))).append("</script>\n")
      .append("</body>\n</html>\n");
    return page.toString();
  }

  private static String describe(JsonObject report) {
    JsonObject settings = report.getJsonObject("settings");
    StringBuilder text = new StringBuilder(settings.getString("mode"));
    if (settings.containsKey("requests")) {
      text.append(", ").append(settings.getLong("requests")).append(" requests");
    }
    if (settings.containsKey("rate")) {
      text.append(", ").append(settings.getDouble("rate")).append(" req/s scheduled");
    }
    if (settings.containsKey("durationMs")) {
      text.append(", for ").append(settings.getLong("durationMs") / 1000.0).append(" s");
    }
    text.append(", concurrency ").append(settings.getInteger("concurrency"))
      .append(", ").append(settings.getString("method"))
      .append(", timeout ").append(settings.getLong("timeoutMs")).append(" ms");
    JsonObject suite = report.getJsonObject("suite");
    if (suite != null) {
      text.append(" · article suite against ").append(suite.getString("baseUrl"))
        .append(", ").append(suite.getInteger("latencyMs")).append(" ms per request, physical limit ")
        .append(suite.getLong("physicalLimitMs")).append(" ms");
    }
    return text.append(" · ").append(report.getString("createdAt"))
      .append(report.getBoolean("interrupted") ? " · interrupted" : "").toString();
  }

  private static void summary(StringBuilder page, JsonObject report, JsonArray results) {
    boolean suite = report.containsKey("suite");
    page.append("<table class=\"summary\">\n<tr><th>endpoint</th><th>elapsed</th><th>req/s</th><th>success</th>")
      .append("<th>p50</th><th>p90</th><th>p99</th><th>max</th>").append(suite ? "<th>vs limit</th>" : "")
      .append("<th>errors</th></tr>\n");
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      JsonObject latency = r.getJsonObject("latencyMs");
      page.append("<tr><td>").append(escape(r.getString("label"))).append("</td>")
        .append(cell(String.format(Locale.ROOT, "%.2f s", r.getDouble("elapsedMs") / 1000)))
        .append(cell(String.format(Locale.ROOT, "%.1f", r.getDouble("requestsPerSecond"))))
        .append(cell(r.getLong("succeeded") + "/" + r.getLong("requested")))
        .append(cell(TextReport.ms(latency.getDouble("p50")))).append(cell(TextReport.ms(latency.getDouble("p90"))))
        .append(cell(TextReport.ms(latency.getDouble("p99")))).append(cell(TextReport.ms(latency.getDouble("max"))))
        .append(suite ? cell(String.format(Locale.ROOT, "x%.1f", r.getDouble("limitRatio"))) : "")
        .append(r.getJsonObject("errors").isEmpty() ? "<td>" : "<td class=\"errors\">")
        .append(escape(errors(r.getJsonObject("errors")))).append("</td></tr>\n");
    }
    page.append("</table>\n");
  }

  private static void blockedThreads(StringBuilder page, JsonArray reports) {
    if (reports == null) {
      return;
    }
    page.append("<h2>Blocked event loops during /bad-example</h2>\n");
    if (reports.isEmpty()) {
      page.append("<p class=\"note\">LoopWatch reported none.</p>\n");
    }
    for (int i = 0; i < reports.size(); i++) {
      JsonObject report = reports.getJsonObject(i);
      page.append("<p>").append(escape(BlockedThreads.headline(report))).append("</p>\n<pre>")
        .append(escape(String.join("\n", BlockedThreads.topFrames(report)))).append("</pre>\n");
    }
  }

  private static String errors(JsonObject errors) {
    if (errors.isEmpty()) {
      return "none";
    }
    StringBuilder text = new StringBuilder();
    errors.forEach(e -> text.append(text.length() == 0 ? "" : ", ").append(e.getKey()).append(" x").append(e.getValue()));
    return text.toString();
  }

  private static String cell(String text) {
    return "<td>" + escape(text) + "</td>";
  }

  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;").replace("'", "&#39;");
  }

  /** Text inside a script element must not close it early. */
  private static String inScript(String text) {
    return SCRIPT_END.matcher(text).replaceAll("<\\\\/$1");
  }

  private static String resource(String path) {
    try (InputStream in = HtmlReport.class.getClassLoader().getResourceAsStream(path)) {
      if (in == null) {
        throw new IllegalStateException(path + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
