package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** diagnostics.enabled=false: no LoopWatch, no diagnostics routes, and Vert.x's stock checker as it ships. */
class DiagnosticsDisabledTest {

  @Test
  void the_vertx_checker_uses_our_thresholds_when_on_and_its_own_defaults_when_off() {
    VertxOptions on = LoopWatch.configure(new VertxOptions(), LoopWatchSettings.of(TestService.config(Map.of()).diagnostics()));
    assertThat(TimeUnit.NANOSECONDS.toMillis(on.getMaxEventLoopExecuteTimeUnit().toNanos(on.getMaxEventLoopExecuteTime())))
      .isEqualTo(100);
    assertThat(on.getBlockedThreadCheckIntervalUnit().toMillis(on.getBlockedThreadCheckInterval())).isEqualTo(20);
    assertThat(on.getMaxWorkerExecuteTimeUnit().toMillis(on.getMaxWorkerExecuteTime())).isEqualTo(60_000);

    VertxOptions off = LoopWatch.configure(new VertxOptions(),
      LoopWatchSettings.of(TestService.config(Map.of("diagnostics.enabled", false)).diagnostics()));
    assertThat(off.getMaxEventLoopExecuteTime()).isEqualTo(VertxOptions.DEFAULT_MAX_EVENT_LOOP_EXECUTE_TIME);
    assertThat(off.getBlockedThreadCheckInterval()).isEqualTo(VertxOptions.DEFAULT_BLOCKED_THREAD_CHECK_INTERVAL);
  }

  @Test
  void with_diagnostics_off_the_admin_port_has_no_diagnostics_routes_and_readiness_does_not_ask_for_them() {
    Vertx vertx = Vertx.vertx();
    try (TestService service = TestService.start(Map.of("diagnostics.enabled", false))) {
      WebClient admin = service.adminClient(vertx);
      assertThat(service.service().main().loopWatch()).isNull();
      assertThat(admin.get("/diagnostics/blocked").send().await().statusCode()).isEqualTo(404);
      assertThat(admin.get("/dashboard").send().await().statusCode()).isEqualTo(404);
      String ready = admin.get("/health/ready").send().await().bodyAsString();
      assertThat(ready).contains("\"UP\"").doesNotContain("event-loops");
    } finally {
      vertx.close().await();
    }
  }
}
