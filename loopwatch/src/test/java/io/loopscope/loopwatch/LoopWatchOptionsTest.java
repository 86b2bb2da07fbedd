package io.loopscope.loopwatch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** LoopWatch's options: JSON in and out with the setters' names, and the same keys as {@code -Dloopwatch.*}. */
class LoopWatchOptionsTest {

  @AfterEach
  void clearProperties() {
    System.clearProperty("loopwatch.blockThresholdMs");
    System.clearProperty("loopwatch.applicationPackages");
    System.clearProperty("loopwatch.metricPrefix");
    System.clearProperty("loopwatch.reportsPath");
  }

  @Test
  void the_defaults_suit_a_service_and_name_metrics_loopwatch() {
    LoopWatchOptions options = new LoopWatchOptions();
    assertThat(options.getBlockThresholdMs()).isEqualTo(100);
    assertThat(options.getCheckIntervalMs()).isEqualTo(20);
    assertThat(options.getMetricPrefix()).isEqualTo("loopwatch");
    assertThat(options.getReportsPath()).isEqualTo("/loopwatch/blocked").isEqualTo(LoopWatchRoutes.BASE + "/blocked");
    assertThat(options.getApplicationPackages()).isEmpty();
  }

  @Test
  void json_round_trips_and_a_missing_key_keeps_its_default() {
    LoopWatchOptions options = new LoopWatchOptions().setBlockThresholdMs(50).addApplicationPackage("com.acme.")
      .setMetricPrefix("acme").setReportsPath("/admin/stalls").setTraced(true);
    assertThat(new LoopWatchOptions(options.toJson()).toJson()).isEqualTo(options.toJson());

    LoopWatchOptions partial = new LoopWatchOptions(new JsonObject().put("maxReports", 7));
    assertThat(partial.getMaxReports()).isEqualTo(7);
    assertThat(partial.getBlockThresholdMs()).isEqualTo(100);
  }

  @Test
  void nonsense_is_refused() {
    assertThatThrownBy(() -> new LoopWatchOptions().setBlockThresholdMs(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LoopWatchOptions().setMetricPrefix(" ")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LoopWatchOptions().setReportsPath("")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void the_no_code_attach_reads_the_same_keys_from_system_properties() {
    System.setProperty("loopwatch.blockThresholdMs", "60");
    System.setProperty("loopwatch.applicationPackages", "com.acme., org.acme.");
    System.setProperty("loopwatch.metricPrefix", "acme");
    System.setProperty("loopwatch.reportsPath", "http://admin:9191/loopwatch/blocked");
    LoopWatchOptions options = Attach.fromSystemProperties();
    assertThat(options.getBlockThresholdMs()).isEqualTo(60);
    assertThat(options.getApplicationPackages()).isEqualTo(List.of("com.acme.", "org.acme."));
    assertThat(options.getMetricPrefix()).isEqualTo("acme");
    assertThat(options.getReportsPath()).isEqualTo("http://admin:9191/loopwatch/blocked");
    assertThat(options.isEnabled()).isTrue();
  }
}
