package demo.slowapp;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same application adopting LoopWatch in code ({@link SlowAppWithLoopWatch}: the loopwatch dependency and
 * {@code LoopWatch.vertx(...)} instead of {@code Vertx.vertx()}), no agent, no system property: its log names
 * the route and the application's own frame.
 */
class OneLineAdoptionIT {

  @Test
  void a_blocking_handler_is_reported_with_its_route_and_frame() throws Exception {
    try (AppProcess app = AppProcess.start(List.of(), System.getProperty("java.class.path"),
      "demo.slowapp.SlowAppWithLoopWatch")) {
      int port = app.awaitPort();
      // the first requests load the router's classes on a loop: a stall of its own on a busy machine, not the one here
      for (int i = 0; i < 3; i++) {
        assertThat(AppProcess.get(port, "/fast")).isEqualTo("fast");
      }
      assertThat(AppProcess.get(port, "/slow?ms=400")).isEqualTo("slow 400");

      assertThat(app.awaitLine("Blocked event-loop", "GET /slow", "SlowApp.handle")).contains("WARN");
      assertThat(app.awaitLine("GET /slow blocked loop", "culprit SlowApp.handle")).contains("WARN");
    }
  }
}
