package io.loopscope;

import java.util.concurrent.TimeUnit;
import io.loopscope.testing.JavaProcess;
import io.loopscope.testing.JavaProcess.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.awaitility.Awaitility;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line as an operator meets it: exit codes and one-line errors, in a real child JVM. */
class MainTest {

  @TempDir
  Path dir;

  private static Map<String, String> loopbackPorts() {
    Map<String, String> env = new HashMap<>();
    env.put("LOOPSCOPE_HTTP_HOST", "127.0.0.1");
    env.put("LOOPSCOPE_HTTP_PORT", "0");
    env.put("LOOPSCOPE_ADMIN_HOST", "127.0.0.1");
    env.put("LOOPSCOPE_ADMIN_PORT", "0");
    env.put("LOOPSCOPE_UPSTREAM_PORT", "0");
    env.put("LOOPSCOPE_DB_EMBEDDED_EPHEMERAL", "true");
    return env;
  }

  private static void assertOneLineWithoutStackTrace(Outcome outcome) {
    assertThat(outcome.stderrLines()).hasSize(1);
    assertThat(outcome.stderr() + outcome.stdout()).doesNotContain("Exception").doesNotContainPattern("\\bat [a-z]+\\.");
  }

  @Test
  void an_invalid_value_stops_start_up_with_exit_code_2_and_one_line_naming_the_key() throws Exception {
    Map<String, String> env = loopbackPorts();
    env.put("LOOPSCOPE_HTTP_PORT", "abc");
    Outcome outcome = JavaProcess.run(env, 60);
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertOneLineWithoutStackTrace(outcome);
    assertThat(outcome.stderr()).contains("http.port").contains("'abc' is not an integer");
  }

  @Test
  void a_negative_pool_size_given_with_minus_d_is_refused() throws Exception {
    Outcome outcome = JavaProcess.run(List.of("-Dworkers.blockingPoolSize=-1"), loopbackPorts(), 60, "serve");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertOneLineWithoutStackTrace(outcome);
    assertThat(outcome.stderr()).contains("workers.blockingPoolSize: -1 is out of range");
  }

  @Test
  void an_unknown_key_in_the_config_file_is_refused() throws Exception {
    Path file = Files.writeString(dir.resolve("typo.yaml"), "cpu:\n  poolSzie: 4\n");
    Outcome outcome = JavaProcess.run(loopbackPorts(), 60, "--config", file.toString());
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertOneLineWithoutStackTrace(outcome);
    assertThat(outcome.stderr()).contains("cpu.poolSzie: unknown key");
  }

  @Test
  void a_taken_port_is_named_and_the_process_exits_1() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Map<String, String> env = loopbackPorts();
      env.put("LOOPSCOPE_HTTP_PORT", String.valueOf(taken.getLocalPort()));
      Outcome outcome = JavaProcess.run(env, 120);
      assertThat(outcome.exitCode()).isEqualTo(1);
      assertThat(outcome.stderrLines()).hasSize(1);
      assertThat(outcome.stderr()).contains("http.port").contains(String.valueOf(taken.getLocalPort()));
    }
  }

  @Test
  void an_unknown_flag_prints_usage_and_exits_2() throws Exception {
    Outcome outcome = JavaProcess.run(loopbackPorts(), 60, "--no-such-flag");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertThat(outcome.stderr()).contains("Unknown option: '--no-such-flag'").contains("Usage: loopscope serve");
  }

  @Test
  void serve_logs_the_effective_configuration_once_and_serves() throws Exception {
    Path log = dir.resolve("serve.log");
    Process process = JavaProcess.builder(List.of(), loopbackPorts(), "serve")
      .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      Pattern ready = Pattern.compile("API on port (\\d+)");
      Matcher port = Awaitility.await().atMost(Duration.ofSeconds(90))
        .until(() -> ready.matcher(Files.readString(log)), Matcher::find);
      String output = Files.readString(log);
      assertThat(output.split("Effective configuration", -1)).as("logged once").hasSize(2);
      assertThat(output).contains("http.port=0").contains("workers.blockingPoolSize=200");
      HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.group(1) + "/test/async?ms=1")).build(),
        HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).contains("\"data\":\"ok\"");
    } finally {
      process.destroy();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void help_lists_the_commands() throws Exception {
    Outcome outcome = JavaProcess.run(Map.of(), 60, "--help");
    assertThat(outcome.exitCode()).isZero();
    assertThat(outcome.stdout()).contains("serve", "worker");
  }

  @Test
  void a_worker_without_an_external_database_is_refused_with_exit_code_2() throws Exception {
    Outcome outcome = JavaProcess.run(loopbackPorts(), 60, "worker");
    assertThat(outcome.exitCode()).isEqualTo(2);
    assertOneLineWithoutStackTrace(outcome);
    assertThat(outcome.stderr()).contains("db.url", "a worker needs an external database");
  }
}
