package io.loopscope.cli;

import io.loopscope.Main;
import io.loopscope.testing.BenchReportSchema;
import io.loopscope.testing.JavaProcess;
import io.loopscope.testing.StubServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code loopscope bench} as a user runs it: exit codes, one-line errors, reports on disk, Ctrl-C. */
class BenchCommandTest {

  private static Vertx vertx;
  private static StubServer stub;

  @TempDir
  Path dir;

  @BeforeAll
  static void startStub() {
    vertx = Vertx.vertx();
    stub = StubServer.start(vertx);
  }

  @AfterAll
  static void stopStub() {
    vertx.close().await();
  }

  @Test
  void invalid_options_exit_2() {
    String url = stub.url("/ok");
    List<String[]> invalid = List.of(
      new String[] {"bench"},
      new String[] {"bench", "--no-such-flag", url},
      new String[] {"bench", "--concurrency", "0", url},
      new String[] {"bench", "--concurrency", "many", url},
      new String[] {"bench", "--requests", "0", url},
      new String[] {"bench", "--requests", "5", "--duration", "1s", url},
      new String[] {"bench", "--rate", "10", url},
      new String[] {"bench", "--rate", "-1", "--duration", "1s", url},
      new String[] {"bench", "--duration", "ten", url},
      new String[] {"bench", "--timeout", "0s", url},
      new String[] {"bench", "--header", "no colon", url},
      new String[] {"bench", "--method", "G E T", url},
      new String[] {"bench", "--body", "@" + dir.resolve("missing.json"), url},
      new String[] {"bench", "--progress", "sparkles", url},
      new String[] {"bench", "localhost:8080/test"},
      new String[] {"bench", "ftp://127.0.0.1/x"},
      new String[] {"bench", "--suite", "article"},
      new String[] {"bench", "--suite", "other", "--url", url},
      new String[] {"bench", "--suite", "article", "--url", url, url},
      new String[] {"bench", "--suite", "article", "--url", url, "--duration", "1s"},
      new String[] {"bench", "--url", url});
    for (String[] args : invalid) {
      assertThat(Main.run(args)).as(String.join(" ", args)).isEqualTo(Main.EXIT_USAGE);
    }
  }

  @Test
  void an_unreachable_url_exits_1_with_one_line_and_no_stack_trace() throws Exception {
    Cli cli = Cli.run(dir, "bench", "--requests", "10", "http://127.0.0.1:1/test/async");
    assertThat(cli.exit()).isEqualTo(1);
    assertThat(cli.errLines()).hasSize(1);
    assertThat(cli.errLines().get(0)).startsWith("loopscope: cannot connect to http://127.0.0.1:1 (http://127.0.0.1:1/test/async)");
    assertThat(cli.out()).isBlank();
  }

  @Test
  void a_run_prints_the_articles_line_and_writes_both_reports() throws Exception {
    Path json = dir.resolve("out/report.json");
    Path html = dir.resolve("out/report.html");
    Cli cli = Cli.run(dir, "bench", "-n", "50", "-c", "10", "--progress", "off", "--json", json.toString(),
      "--html", html.toString(), stub.url("/ok"), stub.url("/status/500"));
    assertThat(cli.exit()).isZero();
    assertThat(cli.outLines().get(0)).matches("/ok: \\d+\\.\\d\\ds, \\d+\\.\\d req/s, 50/50 success");
    assertThat(cli.outLines().get(1)).matches("  latency p50 .+, p90 .+, p99 .+, max .+");
    assertThat(cli.out()).contains("/status/500: ").contains("0/50 success").contains("errors: HTTP 500 x50");
    assertThat(BenchReportSchema.validator().validate(new JsonObject(Files.readString(json))).getValid()).isTrue();
    assertThat(html).isRegularFile();
  }

  @Test
  void ctrl_c_stops_and_prints_what_was_measured() throws Exception {
    Cli cli = Cli.start(dir, "bench", "--duration", "60s", "--concurrency", "4", "--progress", "lines", stub.url("/slow?ms=10"));
    await().atMost(Duration.ofSeconds(60)).until(() -> cli.err().contains("bench: /slow?ms=10"));
    cli.process().destroy();
    assertThat(cli.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(cli.out()).containsPattern("/slow\\?ms=10: \\d+\\.\\d\\ds, [\\d.]+ req/s, \\d+/\\d+ success \\(interrupted\\)");
    assertThat(cli.err()).contains("interrupted, reporting what was measured so far");
  }

  /** A loopscope command in a JVM of its own, its output in files. */
  record Cli(Process process, Path outFile, Path errFile) {

    static Cli start(Path dir, String... args) throws IOException {
      Path out = Files.createTempFile(dir, "out", ".txt");
      Path err = Files.createTempFile(dir, "err", ".txt");
      Process process = JavaProcess.builder(List.of(), Map.of(), args).redirectOutput(out.toFile())
        .redirectError(err.toFile()).start();
      return new Cli(process, out, err);
    }

    static Cli run(Path dir, String... args) throws Exception {
      Cli cli = start(dir, args);
      if (!cli.process.waitFor(120, TimeUnit.SECONDS)) {
        cli.process.destroyForcibly();
        throw new AssertionError("loopscope " + String.join(" ", args) + " did not finish in 120 s");
      }
      return cli;
    }

    int exit() {
      return process.exitValue();
    }

    String out() throws IOException {
      return Files.readString(outFile);
    }

    String err() throws IOException {
      return Files.readString(errFile);
    }

    List<String> outLines() throws IOException {
      return out().lines().filter(line -> !line.isBlank()).toList();
    }

    List<String> errLines() throws IOException {
      return err().lines().filter(line -> !line.isBlank()).toList();
    }
  }
}
