package io.loopscope.bench;

import io.loopscope.testing.StubServer;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Closed and open loop, errors by kind, stopping: the bench against a stub server it can make misbehave. */
@ExtendWith(VertxExtension.class)
class LoadModesTest {

  private StubServer stub;

  @AfterEach
  void stopStub() {
    if (stub != null) {
      stub.close().await();
    }
  }

  @Test
  void open_loop_counts_a_stall_against_every_request_it_delayed(Vertx vertx, VertxTestContext ctx) {
    // 200 req/s for 3 s; half a second in, the server answers nothing for a second
    stub = StubServer.start(vertx, 100, 1_000);
    LoadSettings openLoop = LoadSettings.openLoop(200, Duration.ofSeconds(3), 50);
    new BenchRunner(vertx, openLoop).run(List.of(Endpoint.parse(stub.url("/stall"))))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        EndpointResult result = results.get(0);
        assertThat(result.requested()).isEqualTo(600);
        assertThat(result.succeeded()).isEqualTo(600);
        // about a third of the requests were due during or queued behind the stall
        assertThat(result.latencyMs(99)).isGreaterThanOrEqualTo(500);
        assertThat(result.latencyMs(90)).isGreaterThanOrEqualTo(100);
        ctx.completeNow();
      })));
  }

  @Test
  void closed_loop_hides_the_same_stall_in_its_percentiles(Vertx vertx, VertxTestContext ctx) {
    stub = StubServer.start(vertx, 100, 1_000);
    LoadSettings closedLoop = LoadSettings.closedLoop(Duration.ofSeconds(3), 10);
    new BenchRunner(vertx, closedLoop).run(List.of(Endpoint.parse(stub.url("/stall"))))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        EndpointResult result = results.get(0);
        assertThat(result.completed()).isGreaterThan(1_000);
        // only the 10 requests in flight saw the stall: the median stays low, the max shows it
        assertThat(result.latencyMs(50)).isLessThan(100);
        assertThat(result.maxLatencyMs()).isGreaterThanOrEqualTo(900);
        ctx.completeNow();
      })));
  }

  @Test
  void counts_statuses_resets_and_timeouts_without_stopping(Vertx vertx, VertxTestContext ctx) {
    stub = StubServer.start(vertx);
    LoadSettings burst = LoadSettings.burst(10, 5).withTimeout(Duration.ofMillis(300));
    List<Endpoint> targets = Endpoint.labelled(List.of(Endpoint.parse(stub.url("/status/503")), Endpoint.parse(stub.url("/close")),
      Endpoint.parse(stub.url("/slow?ms=5000")), Endpoint.parse(stub.url("/ok"))));
    new BenchRunner(vertx, burst).run(targets)
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        assertThat(results).extracting(EndpointResult::completed).containsOnly(10L);
        assertThat(results.get(0).errors()).isEqualTo(Map.of("HTTP 503", 10L));
        assertThat(results.get(1).errors()).isEqualTo(Map.of("connection", 10L));
        assertThat(results.get(2).errors()).isEqualTo(Map.of("timeout", 10L));
        assertThat(results.get(2).latencyMs(50)).isBetween(290.0, 2_000.0);
        assertThat(results.get(3).succeeded()).isEqualTo(10);
        ctx.completeNow();
      })));
  }

  @Test
  void stopping_reports_what_was_measured_so_far(Vertx vertx, VertxTestContext ctx) {
    stub = StubServer.start(vertx);
    BenchRunner runner = new BenchRunner(vertx, LoadSettings.closedLoop(Duration.ofSeconds(60), 4));
    long started = System.nanoTime();
    runner.run(List.of(Endpoint.parse(stub.url("/slow?ms=20")), Endpoint.parse(stub.url("/ok"))))
      .onComplete(ctx.succeeding(results -> ctx.verify(() -> {
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
        assertThat(results).hasSize(1);
        assertThat(results.get(0).interrupted()).isTrue();
        assertThat(results.get(0).completed()).isPositive();
        ctx.completeNow();
      })));
    vertx.setPeriodic(50, timer -> {
      if (runner.status() != null && runner.status().completed() > 10) {
        vertx.cancelTimer(timer);
        runner.stop(Duration.ofSeconds(1));
      }
    });
  }

  @Test
  void an_unreachable_target_fails_the_run_with_one_clear_message(Vertx vertx, VertxTestContext ctx) {
    new BenchRunner(vertx, LoadSettings.burst(10, 2)).run(List.of(Endpoint.parse("http://127.0.0.1:1/x")))
      .onComplete(ctx.failing(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(BenchException.class);
        assertThat(failure.getMessage()).startsWith("cannot connect to http://127.0.0.1:1 (http://127.0.0.1:1/x): ")
          .doesNotContain("\n");
        ctx.completeNow();
      })));
  }
}
