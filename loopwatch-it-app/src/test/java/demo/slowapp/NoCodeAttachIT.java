package demo.slowapp;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * An application that knows nothing of LoopWatch (it calls {@code Vertx.vertx()}, its class path has Vert.x and
 * SLF4J only) gets LoopWatch from {@code -javaagent:loopwatch-agent.jar}: a stall report that names its route and
 * its own frame, in its log and on LoopWatch's port, and lag per event loop.
 */
class NoCodeAttachIT {

  private static final Pattern ROUTES_AT = Pattern.compile("LoopWatch routes at http://127\\.0\\.0\\.1:(\\d+)/loopwatch");

  @Test
  void a_blocking_handler_is_reported_with_its_route_and_frame() throws Exception {
    List<String> jvm = List.of("-javaagent:" + System.getProperty("it.agent.jar"), "-Dloopwatch.port=0",
      "-Dloopwatch.applicationPackages=demo.");
    try (AppProcess app = AppProcess.start(jvm, AppProcess.applicationClasspath(), "demo.slowapp.SlowApp")) {
      int port = app.awaitPort();
      // the first requests load the router's classes on a loop: a stall of its own on a busy machine, not the one here
      for (int i = 0; i < 3; i++) {
        assertThat(AppProcess.get(port, "/fast")).isEqualTo("fast");
      }
      assertThat(AppProcess.get(port, "/slow?ms=400")).isEqualTo("slow 400");

      String warning = app.awaitLine("Blocked event-loop", "GET /slow", "SlowApp.handle");
      assertThat(warning).contains("WARN");

      Matcher routes = ROUTES_AT.matcher(app.awaitLine("LoopWatch routes at"));
      assertThat(routes.find()).isTrue();
      int adminPort = Integer.parseInt(routes.group(1));
      JsonObject report = new JsonObject(AppProcess.get(adminPort, "/loopwatch/blocked?limit=1"))
        .getJsonArray("reports").getJsonObject(0);
      assertThat(report.getString("route")).isEqualTo("GET /slow");
      assertThat(report.getJsonObject("culprit").getString("method")).isEqualTo("SlowApp.handle");
      assertThat(report.getDouble("durationMs")).isGreaterThanOrEqualTo(300.0);

      JsonArray loops = await("a lag window").atMost(Duration.ofSeconds(15)).until(
        () -> new JsonObject(AppProcess.get(adminPort, "/loopwatch/event-loops")).getJsonArray("loops"),
        found -> !found.isEmpty());
      assertThat(loops.getJsonObject(0).getJsonObject("lag").getJsonObject("sinceStart")).isNotNull();
    }
  }
}
