package io.loopscope.bench;

import java.util.Arrays;
import io.loopscope.testing.TestService;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bench against a real loopscope with 4 event loops (its own: /bad-example blocks them on purpose).
 * The article's numbers, done right: 100 x 100 ms async requests take about 0.1 s, while the bad example
 * queues 25 requests behind each blocked loop.
 */
@ExtendWith(VertxExtension.class)
class BenchAgainstServiceTest {

  private static TestService service;

  @BeforeAll
  static void startService() {
    service = TestService.start(Map.of("vertx.eventLoops", 4));
  }

  @AfterAll
  static void stopService() {
    service.close();
  }

  private static String url(String path) {
    return "http://127.0.0.1:" + service.apiPort() + path;
  }

  private static List<Endpoint> targets(String... paths) {
    return Endpoint.labelled(Arrays.stream(paths).map(p -> Endpoint.parse(url(p))).toList());
  }

  @Test
  void burst_counts_successes_and_failures_exactly(Vertx vertx, VertxTestContext ctx) {
    // the upstream failure knob: fail=true makes the simulator answer 500, which /good-example turns into 502
    new BenchRunner(vertx, LoadSettings.burst(60, 20)).run(targets("/good-example?ms=0", "/good-example?ms=0&fail=true"))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        EndpointResult good = results.get(0);
        assertThat(good.requested()).isEqualTo(60);
        assertThat(good.completed()).isEqualTo(60);
        assertThat(good.succeeded()).isEqualTo(60);
        assertThat(good.errors()).isEmpty();
        EndpointResult failing = results.get(1);
        assertThat(failing.completed()).isEqualTo(60);
        assertThat(failing.succeeded()).isZero();
        assertThat(failing.errors()).containsExactly(Map.entry("HTTP 502", 60L));
        assertThat(failing.latencyMicros().getTotalCount()).isEqualTo(60);
        ctx.completeNow();
      })));
  }

  @Test
  void hundred_async_requests_of_100_ms_take_well_under_a_second(Vertx vertx, VertxTestContext ctx) {
    LoadSettings settings = LoadSettings.burst(100, 100).withWarmup(Duration.ofMillis(500));
    new BenchRunner(vertx, settings).run(targets("/test/async?ms=100"))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        EndpointResult async = results.get(0);
        assertThat(async.succeeded()).isEqualTo(100);
        assertThat(async.elapsedSeconds()).isLessThan(1.0);
        assertThat(async.latencyMicros().getMinValue()).as("each request waits its 100 ms").isGreaterThanOrEqualTo(99_000);
        ctx.completeNow();
      })));
  }

  @Test
  void the_bad_example_queues_requests_behind_blocked_event_loops(Vertx vertx, VertxTestContext ctx) {
    new BenchRunner(vertx, LoadSettings.burst(100, 100)).run(targets("/bad-example?ms=100"))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        EndpointResult bad = results.get(0);
        assertThat(bad.succeeded()).isEqualTo(100);
        // 100 connections over 4 loops: 25 blocking calls of 100 ms in a row on each
        assertThat(bad.elapsedSeconds()).isGreaterThan(2.0);
        assertThat(bad.latencyMs(99)).isGreaterThan(2_000);
        ctx.completeNow();
      })));
  }

  @Test
  void posts_a_body_to_a_post_target(Vertx vertx, VertxTestContext ctx) {
    LoadSettings settings = LoadSettings.burst(20, 5)
      .withRequest(HttpMethod.POST, MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json"),
        Buffer.buffer("[5, 3, 9, 1]"));
    new BenchRunner(vertx, settings).run(targets("/process"))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        assertThat(results.get(0).succeeded()).isEqualTo(20);
        assertThat(results.get(0).errors()).isEmpty();
        ctx.completeNow();
      })));
  }

  @Test
  void the_article_suite_names_its_endpoints_and_its_physical_limit() {
    ArticleSuite suite = new ArticleSuite(url("/"), 100);
    assertThat(suite.targets()).extracting(Endpoint::label).containsExactlyElementsOf(ArticleSuite.PATHS);
    assertThat(suite.targets()).extracting(Endpoint::requestUri)
      .containsExactly("/test/sync?ms=100", "/test/sync?ordered=true&ms=100", "/test/async?ms=100", "/bad-example?ms=100",
        "/good-example?ms=100");
    assertThat(suite.physicalLimit(LoadSettings.burst(100, 100))).isEqualTo(Duration.ofMillis(100));
    assertThat(suite.physicalLimit(LoadSettings.burst(100, 30))).isEqualTo(Duration.ofMillis(400));
  }
}
