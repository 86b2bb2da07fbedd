package io.loopscope.bench;

import io.loopscope.testing.BenchReportSchema;
import io.loopscope.testing.StubServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.junit5.VertxExtension;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The JSON report keeps to the schema in the repository; the HTML report is one page with a chart per endpoint. */
@ExtendWith(VertxExtension.class)
class ReportsTest {

  private static Vertx vertx;
  private static StubServer stub;
  private static List<EndpointResult> results;
  private static LoadSettings settings;

  @BeforeAll
  static void measureSomething() {
    vertx = Vertx.vertx();
    stub = StubServer.start(vertx);
    settings = LoadSettings.burst(40, 8).withTimeout(Duration.ofSeconds(5));
    results = new BenchRunner(vertx, settings).run(Endpoint.labelled(List.of(
      Endpoint.parse(stub.url("/ok")), Endpoint.parse(stub.url("/status/503")), Endpoint.parse(stub.url("/slow?ms=20"))))).await();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  @Test
  void the_json_report_validates_against_the_schema() throws IOException {
    JsonObject report = JsonReport.of(results, settings, null);
    OutputUnit outcome = BenchReportSchema.validator().validate(report);
    assertThat(outcome.getValid()).as(outcome.toString()).isTrue();

    JsonObject failing = report.getJsonArray("results").getJsonObject(1);
    assertThat(failing.getJsonObject("errors").getLong("HTTP 503")).isEqualTo(40);
    assertThat(failing.getJsonArray("percentiles")).isNotEmpty();
  }

  @Test
  void the_schema_rejects_what_a_report_must_not_be() throws IOException {
    Validator validator = BenchReportSchema.validator();
    JsonObject noResults = JsonReport.of(results, settings, null);
    noResults.remove("results");
    assertThat(validator.validate(noResults).getValid()).isFalse();

    JsonObject unknownErrorKind = JsonReport.of(results, settings, null);
    unknownErrorKind.getJsonArray("results").getJsonObject(0).getJsonObject("errors").put("gremlins", 3);
    assertThat(validator.validate(unknownErrorKind).getValid()).isFalse();

    JsonObject burstWithoutRequests = JsonReport.of(results, settings, null);
    burstWithoutRequests.getJsonObject("settings").remove("requests");
    assertThat(validator.validate(burstWithoutRequests).getValid()).isFalse();
  }

  @Test
  void a_suite_report_carries_the_physical_limit_and_validates() throws IOException {
    ArticleSuite suite = new ArticleSuite(stub.url(""), 100);
    JsonObject report = JsonReport.of(results, LoadSettings.burst(100, 100), suite);
    assertThat(report.getJsonObject("suite").getLong("physicalLimitMs")).isEqualTo(100);
    assertThat(report.getJsonArray("results").getJsonObject(0).getDouble("limitRatio")).isPositive();
    assertThat(BenchReportSchema.validator().validate(report).getValid()).isTrue();
  }

  @Test
  void the_html_report_is_one_self_contained_page_with_a_chart_per_endpoint(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("reports/bench.html");
    JsonObject report = JsonReport.of(results, settings, null);
    ReportFiles.write(file, HtmlReport.render(report));

    assertThat(file).isRegularFile();
    Document page = Jsoup.parse(file.toFile(), "UTF-8");
    assertThat(page.title()).isEqualTo("loopscope bench report");
    assertThat(page.select("[data-chart=throughput]")).hasSize(1);
    assertThat(page.select("[data-chart=latency]")).hasSize(results.size());
    assertThat(page.select("figure.endpoint").eachAttr("data-endpoint")).containsExactly("/ok", "/status/503", "/slow?ms=20");
    assertThat(page.select("table.summary tr")).hasSize(results.size() + 1);
    // nothing to fetch: no external script, style or image
    assertThat(page.select("script[src], link[href], img[src], iframe")).isEmpty();
    assertThat(page.select("script").stream().map(Element::data).filter(js -> js.contains("uPlot")).count()).isGreaterThanOrEqualTo(2);
    JsonObject embedded = new JsonObject(page.getElementById("report-data").data());
    assertThat(embedded.getJsonArray("results")).hasSize(results.size());
  }

  @Test
  void text_in_the_page_cannot_break_out_of_it() {
    JsonObject report = JsonReport.of(results, settings, null);
    JsonArray rows = report.getJsonArray("results");
    rows.getJsonObject(0).put("label", "/x?q=</script><script>alert(1)</script>");
    Document page = Jsoup.parse(HtmlReport.render(report));
    assertThat(page.select("script").stream().map(Element::data).noneMatch(js -> js.contains("alert(1)</script>"))).isTrue();
    assertThat(page.select("figure.endpoint").first().attr("data-endpoint")).isEqualTo("/x?q=</script><script>alert(1)</script>");
    assertThat(new JsonObject(page.getElementById("report-data").data()).getJsonArray("results").getJsonObject(0).getString("label"))
      .isEqualTo("/x?q=</script><script>alert(1)</script>");
  }
}
