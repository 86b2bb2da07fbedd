package io.loopscope.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigLoaderTest {

  @TempDir
  Path dir;

  private static LoopscopeConfig load(Optional<Path> file, Map<String, String> env, Properties props) {
    return ConfigLoader.load(file, env, props);
  }

  private static Properties props(String... pairs) {
    Properties props = new Properties();
    for (int i = 0; i < pairs.length; i += 2) {
      props.setProperty(pairs[i], pairs[i + 1]);
    }
    return props;
  }

  @Test
  void defaults_are_the_documented_ones() {
    LoopscopeConfig config = ConfigLoader.defaults();
    assertThat(config.http().port()).isEqualTo(8080);
    assertThat(config.admin().port()).isEqualTo(9090);
    assertThat(config.upstream().port()).isEqualTo(8089);
    assertThat(config.http().maxBodyBytes()).isEqualTo(16L * 1024 * 1024);
    assertThat(config.cpu().maxItems()).isEqualTo(1_000_000);
    assertThat(config.cpu().poolSize()).as("0 means available processors").isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(config.demo().maxDelayMs()).isEqualTo(10_000);
    assertThat(config.demo().badExampleEnabled()).isTrue();
    assertThat(config.upstream().simulated()).isTrue();
  }

  @Test
  void the_cluster_is_off_by_default_and_its_keys_come_from_the_environment() {
    assertThat(ConfigLoader.defaults().cluster().enabled()).isFalse();
    LoopscopeConfig.Cluster cluster = load(Optional.empty(), Map.of("LOOPSCOPE_CLUSTER_ENABLED", "true",
      "LOOPSCOPE_CLUSTER_MEMBERS", " 10.0.0.1:5701, node-b:5701 ", "LOOPSCOPE_CLUSTER_NODENAME", "api-1",
      "LOOPSCOPE_LEGACY_INSTANCES", "0", "LOOPSCOPE_CLUSTER_KUBERNETES_SERVICEDNS", "loopscope-cluster.default.svc"),
      new Properties()).cluster();
    assertThat(cluster.enabled()).isTrue();
    assertThat(cluster.members()).containsExactly("10.0.0.1:5701", "node-b:5701");
    assertThat(cluster.node()).isEqualTo("api-1");
    assertThat(cluster.kubernetesServiceDns()).isEqualTo("loopscope-cluster.default.svc");
  }

  @Test
  void cluster_settings_that_cannot_work_are_refused() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_LEGACY_INSTANCES", "0"), new Properties()))
      .hasMessageContaining("legacy.instances").hasMessageContaining("cluster.enabled");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_CLUSTER_MEMBERS", "10.0.0.1"), new Properties()))
      .hasMessageContaining("cluster.members").hasMessageContaining("not host:port");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_CLUSTER_MAXNOHEARTBEATSECONDS", "1"), new Properties()))
      .hasMessageContaining("cluster.maxNoHeartbeatSeconds");
  }

  @Test
  void the_shipped_defaults_are_conf_loopscope_yaml() throws IOException {
    Path conf = Path.of("conf", "loopscope.yaml");
    assertThat(ConfigLoader.load(Optional.of(conf), Map.of(), new Properties()).json())
      .isEqualTo(ConfigLoader.defaults().json());
  }

  @Test
  void env_vars_override_keys_with_dots_as_underscores() {
    LoopscopeConfig config = load(Optional.empty(),
      Map.of("LOOPSCOPE_HTTP_PORT", "8181", "LOOPSCOPE_DB_EMBEDDED_DATADIR", "other/pg", "LOOPSCOPE_DEMO_BADEXAMPLE_ENABLED", "false"),
      new Properties());
    assertThat(config.http().port()).isEqualTo(8181);
    assertThat(config.db().embedded().dataDir()).isEqualTo("other/pg");
    assertThat(config.demo().badExampleEnabled()).isFalse();
  }

  @Test
  void tracing_is_off_by_default_and_its_endpoint_and_sampler_are_checked() {
    assertThat(load(Optional.empty(), Map.of(), new Properties()).tracing().enabled()).isFalse();
    LoopscopeConfig on = load(Optional.empty(), Map.of("LOOPSCOPE_TRACING_ENABLED", "true",
      "LOOPSCOPE_TRACING_SAMPLER", "ParentBased_TraceIdRatio:0.25"), new Properties());
    assertThat(on.tracing().enabled()).isTrue();
    assertThat(on.tracing().sampler()).isEqualTo("parentbased_traceidratio:0.25");
    for (String sampler : new String[] {"sometimes", "traceidratio:2", "traceidratio:", "always_on:0.5"}) {
      assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_TRACING_SAMPLER", sampler), new Properties()))
        .hasMessageContaining("tracing.sampler");
    }
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_TRACING_OTLPENDPOINT", "collector:4318"), new Properties()))
      .hasMessageContaining("tracing.otlpEndpoint");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_TRACING_ENABLED", "true",
      "LOOPSCOPE_TRACING_OTLPENDPOINT", ""), new Properties())).hasMessageContaining("tracing.otlpEndpoint");
  }

  @Test
  void unknown_loopscope_env_vars_are_ignored_since_kubernetes_injects_service_variables() {
    LoopscopeConfig config = load(Optional.empty(), Map.of("LOOPSCOPE_SERVICE_HOST", "10.0.0.1", "LOOPSCOPE_PORT", "tcp://10.0.0.1:80"), new Properties());
    assertThat(config.http().port()).isEqualTo(8080);
  }

  @Test
  void system_properties_override_env_vars() {
    LoopscopeConfig config = load(Optional.empty(), Map.of("LOOPSCOPE_HTTP_PORT", "8181"), props("http.port", "8282", "loopscope.admin.port", "9191"));
    assertThat(config.http().port()).isEqualTo(8282);
    assertThat(config.admin().port()).isEqualTo(9191);
  }

  @Test
  void a_config_file_overrides_the_defaults_and_keeps_the_rest() throws IOException {
    Path file = Files.writeString(dir.resolve("custom.yaml"), "http:\n  port: 7070\nupstream:\n  latencyMs: 5\n");
    LoopscopeConfig config = load(Optional.of(file), Map.of(), new Properties());
    assertThat(config.http().port()).isEqualTo(7070);
    assertThat(config.upstream().latencyMs()).isEqualTo(5);
    assertThat(config.admin().port()).isEqualTo(9090);
  }

  @Test
  void an_unknown_key_in_the_file_is_named() throws IOException {
    Path file = Files.writeString(dir.resolve("typo.yaml"), "http:\n  prot: 7070\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of(), new Properties()))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("http.prot: unknown key");
  }

  @Test
  void an_unknown_loopscope_system_property_is_named() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of(), props("loopscope.http.prot", "1")))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("http.prot: unknown key");
  }

  @Test
  void invalid_values_name_the_key_and_the_problem() {
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_HTTP_PORT", "abc"), new Properties()))
      .hasMessage("http.port: 'abc' is not an integer");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_HTTP_PORT", "70000"), new Properties()))
      .hasMessage("http.port: 70000 is out of range (0..65535)");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_WORKERS_BLOCKINGPOOLSIZE", "-3"), new Properties()))
      .hasMessageStartingWith("workers.blockingPoolSize: -3 is out of range");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_DEMO_BADEXAMPLE_ENABLED", "yes"), new Properties()))
      .hasMessage("demo.badExample.enabled: 'yes' is not true or false");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_UPSTREAM_FAILURERATE", "2"), new Properties()))
      .hasMessageStartingWith("upstream.failureRate: 2 is out of range");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_UPSTREAM_BASEURL", "ftp://x"), new Properties()))
      .hasMessageStartingWith("upstream.baseUrl: 'ftp://x' is not an http(s) URL");
    assertThatThrownBy(() -> load(Optional.empty(), Map.of("LOOPSCOPE_LOG_FORMAT", "xml"), new Properties()))
      .hasMessageStartingWith("log.format: 'xml' is not one of text, json");
  }

  @Test
  void a_section_replaced_by_a_scalar_is_an_unknown_key() throws IOException {
    Path file = Files.writeString(dir.resolve("flat.yaml"), "http: 8080\n");
    assertThatThrownBy(() -> load(Optional.of(file), Map.of(), new Properties()))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("http: unknown key");
  }

  @Test
  void a_missing_or_unreadable_file_is_named() throws IOException {
    assertThatThrownBy(() -> load(Optional.of(dir.resolve("absent.yaml")), Map.of(), new Properties()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("no such file");
    Path broken = Files.writeString(dir.resolve("broken.yaml"), "http: [unclosed\n");
    assertThatThrownBy(() -> load(Optional.of(broken), Map.of(), new Properties()))
      .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read as YAML");
  }

  @Test
  void the_effective_configuration_masks_the_database_password() {
    LoopscopeConfig config = load(Optional.empty(), Map.of("LOOPSCOPE_DB_URL", "postgresql://app:s3cret@db:5432/loopscope"), new Properties());
    String described = ConfigLoader.describe(config);
    assertThat(described).contains("db.url=postgresql://app:****@db:5432/loopscope").doesNotContain("s3cret");
    assertThat(described).contains("http.port=8080");
  }
}
