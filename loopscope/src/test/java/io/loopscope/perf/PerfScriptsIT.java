package io.loopscope.perf;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The perf/ scripts run end to end on their shortest setting and print their tables (the figures themselves live in perf/RESULTS.md). */
class PerfScriptsIT {

  private record Run(int exitCode, String output) {
  }

  private static boolean onPath(String tool) {
    return Files.isExecutable(Path.of("/usr/bin", tool)) || List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
      .stream().anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
  }

  private static Run run(long timeoutSeconds, String... command) throws IOException, InterruptedException {
    Path log = Files.createTempFile("perf-script", ".log");
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly().waitFor();
        throw new AssertionError(String.join(" ", command) + " did not finish in " + timeoutSeconds + " s:\n" + Files.readString(log));
      }
      return new Run(process.exitValue(), Files.readString(log));
    } finally {
      Files.deleteIfExists(log);
    }
  }

  @Test
  void perf_run_short_compares_loopscope_with_the_baseline_in_one_table() throws Exception {
    assumeTrue(onPath("wrk"), "perf/run needs wrk (Debian package wrk, which .ci/run installs): skipped");
    Path out = Path.of("target", "perf", "short.md");
    Run run = run(300, "bash", "perf/run", "--short", "--out", out.toString());
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output())
      .contains("| scenario | server | connections | req/s | p50 ms | p99 ms | errors | note |")
      .containsPattern("\\| overhead/plain \\| baseline \\| 100 \\| [1-9][0-9]* \\|")
      .containsPattern("\\| overhead/plain \\| loopscope \\(defaults\\) \\| 100 \\| [1-9][0-9]* \\|.*of baseline");
    assertThat(Files.readString(out)).isEqualTo(run.output().substring(run.output().indexOf("perf/run on ")));
  }

  @Test
  void perf_run_peer_holds_the_defaults_against_the_bare_vertx_server_at_100_and_1000_connections() throws Exception {
    assumeTrue(onPath("wrk"), "perf/run needs wrk (Debian package wrk, which .ci/run installs): skipped");
    Path out = Path.of("target", "perf", "peer.md");
    Run run = run(300, "bash", "perf/run", "--scenario", "peer", "--flags", "plain", "--duration", "2s", "--warmup", "1s",
      "--out", out.toString());
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output())
      .containsPattern("\\| costs/plain \\| defaults vs bare Vert.x \\| 100 \\| [1-9][0-9]* vs [1-9][0-9]* \\|"
        + ".*loopscope \\(defaults\\) costs, against bare Vert.x: by req/s")
      .containsPattern("\\| costs/plain \\| defaults vs bare Vert.x \\| 1000 \\| [1-9][0-9]* vs [1-9][0-9]* \\|")
      .doesNotContain("LoopWatch on vs off")
      .doesNotContain("tracing on vs off");
  }

  @Test
  void perf_interleave_measures_two_servers_in_turns_and_counts_each_ones_requests() throws Exception {
    assumeTrue(onPath("wrk"), "perf/interleave needs wrk (Debian package wrk, which .ci/run installs): skipped");
    int portA = freePort();
    int portB = freePort();
    Process a = baseline(portA);
    Process b = baseline(portB);
    try {
      awaitAnswer(portA);
      awaitAnswer(portB);
      Run run = run(120, "bash", "perf/interleave", "a", String.valueOf(a.pid()), url(portA), "b", String.valueOf(b.pid()),
        url(portB), "--duration", "5", "--warmup", "1", "--slice", "0.1", "--connections", "10");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output())
        .containsPattern("a: [1-9][0-9]* req/s over its slices, server CPU [0-9.]+ µs/request")
        .containsPattern("b: [1-9][0-9]* req/s over its slices")
        .containsPattern("a costs, against b: by req/s -?[0-9.]+ % \\(95 % interval")
        .containsPattern("RESULT rps_a=[1-9][0-9]* rps_b=[1-9][0-9]* cpu_a=[0-9.]+ cpu_b=[0-9.]+");
    } finally {
      a.destroy();
      b.destroy();
      a.waitFor(10, TimeUnit.SECONDS);
      b.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static Process baseline(int port) throws IOException {
    return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
      "target/loopscope.jar", "baseline", "--port", String.valueOf(port))
      .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
  }

  private static String url(int port) {
    return "http://127.0.0.1:" + port + "/test/async?ms=0";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitAnswer(int port) {
    HttpClient client = HttpClient.newHttpClient();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).ignoreExceptions().until(() ->
      client.send(HttpRequest.newBuilder(URI.create(url(port))).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200);
  }

  @Test
  void perf_jmh_runs_the_microbenchmarks() throws Exception {
    Run run = run(300, "bash", "perf/jmh", "HotPath", "-f", "0", "-wi", "0", "-i", "1", "-r", "200ms", "-foe", "true");
    assertThat(run.exitCode()).as(run.output()).isZero();
    assertThat(run.output()).contains("HotPathBenchmark.problemBody").contains("HotPathBenchmark.requestIdAccepted");
  }
}
