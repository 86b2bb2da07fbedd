package io.loopscope.bench;

import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.http.HttpClosedException;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The small pieces: URLs, the schedules, error kinds, the article's line, flat memory. */
class BenchUnitsTest {

  @Test
  void parses_targets_and_labels_them_by_path_when_they_share_a_server() {
    Endpoint target = Endpoint.parse("http://localhost:8080/test/sync?ordered=true");
    assertThat(target.host()).isEqualTo("localhost");
    assertThat(target.port()).isEqualTo(8080);
    assertThat(target.ssl()).isFalse();
    assertThat(target.requestUri()).isEqualTo("/test/sync?ordered=true");
    assertThat(Endpoint.parse("https://example.org").port()).isEqualTo(443);
    assertThat(Endpoint.parse("https://example.org").requestUri()).isEqualTo("/");
    assertThat(Endpoint.parse("http://[::1]:9000/x").host()).isEqualTo("::1");

    List<Endpoint> sameServer = Endpoint.labelled(List.of(Endpoint.parse("http://h:1/a"), Endpoint.parse("http://h:1/b?x=1")));
    assertThat(sameServer).extracting(Endpoint::label).containsExactly("/a", "/b?x=1");
    List<Endpoint> twoServers = Endpoint.labelled(List.of(Endpoint.parse("http://h:1/a"), Endpoint.parse("http://g:1/a")));
    assertThat(twoServers).extracting(Endpoint::label).containsExactly("http://h:1/a", "http://g:1/a");

    for (String bad : List.of("localhost:8080/x", "ftp://h/x", "http://", "http://u:p@h/x", "http://h/x#frag", "http://h /x")) {
      assertThatThrownBy(() -> Endpoint.parse(bad)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining(bad.trim());
    }
  }

  @Test
  void open_loop_schedule_is_fixed_in_advance_whatever_the_server_does() {
    long start = 1_000_000_000L;
    Schedule schedule = Schedule.of(LoadSettings.openLoop(200, Duration.ofSeconds(3), 10), start);
    long late = start + Duration.ofSeconds(5).toNanos();
    // asked late, the 1st request is still due at the start and the 101st half a second later
    assertThat(schedule.next(late)).isEqualTo(start);
    for (int i = 1; i < 100; i++) {
      schedule.next(late);
    }
    assertThat(schedule.next(late)).isEqualTo(start + Duration.ofMillis(500).toNanos());
    for (int i = 101; i < 600; i++) {
      assertThat(schedule.next(late)).isNotEqualTo(Schedule.DONE);
    }
    assertThat(schedule.next(late)).isEqualTo(Schedule.DONE);
  }

  @Test
  void burst_and_closed_loop_schedules_end_by_count_by_deadline_and_by_stop() {
    Schedule burst = Schedule.of(LoadSettings.burst(3, 3), 0);
    assertThat(List.of(burst.next(5), burst.next(6), burst.next(7), burst.next(8))).containsExactly(5L, 6L, 7L, Schedule.DONE);

    Schedule closed = Schedule.of(LoadSettings.closedLoop(Duration.ofSeconds(1), 1), 0);
    assertThat(closed.next(999_999_999L)).isEqualTo(999_999_999L);
    assertThat(closed.next(1_000_000_000L)).isEqualTo(Schedule.DONE);

    Schedule stopped = Schedule.of(LoadSettings.burst(100, 1), 0);
    stopped.stop();
    assertThat(stopped.next(1)).isEqualTo(Schedule.DONE);
  }

  @Test
  void failures_are_counted_by_kind() {
    assertThat(Tally.kindOf(new UnexpectedStatus(503))).isEqualTo("HTTP 503");
    assertThat(Tally.kindOf(new TimeoutException("slow"))).isEqualTo("timeout");
    assertThat(Tally.kindOf(new ConnectTimeoutException("slow connect"))).isEqualTo("timeout");
    assertThat(Tally.kindOf(new ConnectException("refused"))).isEqualTo("connection");
    assertThat(Tally.kindOf(new HttpClosedException("closed"))).isEqualTo("connection");
    assertThat(Tally.kindOf(new IllegalStateException("?"))).isEqualTo("other");
  }

  @Test
  void prints_the_articles_line() {
    Histogram latencies = new Histogram(3);
    latencies.recordValue(100_000);
    EndpointResult result = new EndpointResult(new Endpoint("/test/sync", "http://h/test/sync", "h", 80, false, "/test/sync"),
      LoadSettings.Mode.BURST, Instant.now(), 10_230_000_000L, 100, 100, 100, Map.of(), latencies, false);
    assertThat(TextReport.articleLine(result)).isEqualTo("/test/sync: 10.23s, 9.8 req/s, 100/100 success");
  }

  @Test
  void memory_stays_flat_for_ten_million_requests() {
    Tally tally = new Tally();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    tally.recordSuccess(1_000);
    tally.recordSuccess(Duration.ofSeconds(60).toNanos());
    long footprint = tally.latencyMicros().getEstimatedFootprintInBytes();
    for (int i = 0; i < 10_000_000; i++) {
      tally.recordSuccess(random.nextLong(1_000, Duration.ofSeconds(60).toNanos()));
    }
    assertThat(tally.completed()).isEqualTo(10_000_002);
    assertThat(tally.latencyMicros().getEstimatedFootprintInBytes()).isEqualTo(footprint).isLessThan(256 * 1024);
  }
}
