package io.loopscope.cli;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.testing.BenchReportSchema;
import io.loopscope.bench.ArticleSuite;
import io.vertx.core.json.JsonObject;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code loopscope demo}: a whole service in-process, the article's table, LoopWatch's word on /bad-example, a report page. */
class DemoCommandTest {

  @Test
  void runs_the_article_suite_against_an_in_process_service_and_writes_the_report(@TempDir Path dir) throws Exception {
    Path html = dir.resolve("target/bench-report.html");
    Path json = dir.resolve("target/bench-report.json");
    StringWriter out = new StringWriter();
    int exit = new CommandLine(new DemoCommand()).setOut(new PrintWriter(out))
      .execute("--html", html.toString(), "--json", json.toString());

    assertThat(exit).isZero();
    String text = out.toString();
    assertThat(text).containsPattern("loopscope demo: API http://127\\.0\\.0\\.1:\\d+, admin http://127\\.0\\.0\\.1:\\d+, \\d+ event loops");
    assertThat(text).contains("endpoint", "elapsed", "req/s", "success", "p50", "p99", "vs limit");
    for (String path : ArticleSuite.PATHS) {
      assertThat(text).containsPattern("(?m)^" + java.util.regex.Pattern.quote(path) + " +\\d+\\.\\d\\ds +[\\d.]+ +100/100 ");
    }
    assertThat(text).contains("physical limit: 100 requests x 100 ms / concurrency 100 = 0.10s");
    assertThat(text).containsPattern("LoopWatch is not available \\(GET /diagnostics/blocked answered 404\\)|LoopWatch caught \\d+ blocked");

    assertThat(BenchReportSchema.validator().validate(new JsonObject(Files.readString(json))).getValid()).isTrue();
    Document page = Jsoup.parse(html.toFile(), "UTF-8");
    assertThat(page.select("[data-chart=latency]")).hasSize(ArticleSuite.PATHS.size());
    assertThat(page.select("figure.endpoint").eachAttr("data-endpoint")).containsExactlyElementsOf(ArticleSuite.PATHS);
  }
}
