package io.loopscope.http;

import io.loopscope.db.ConnectionSettings;
import io.loopscope.testing.PlainSql;
import io.loopscope.testing.ServiceProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * From outside, on a service just started with the defaults: {@code GET /users/1/overview?latency=true} costs about
 * its slowest query (orders, 80 ms) in concurrent mode and the sum (170 ms) in sequential mode, from the first
 * requests of every event loop on. Each request is written on its own socket, as curl does, so the requests land on
 * the event loops in turn. The pool lends a request a connection of the request's own event loop first and opens a
 * new one rather than lend another loop's; a pool left to grow on demand made each loop's first requests pay for
 * their connections (issue 24: 0.156 s concurrent). The service opens the whole pool before it says ready, so no
 * request opens a database connection. The process's very first request also loads the classes of the HTTP path
 * (any route): it is checked for the connections, not timed.
 */
class OverviewConcurrencyIT {

  private static final Pattern EVENT_LOOPS = Pattern.compile("\\((\\d+) event loops, ");
  private static final int POOL_SIZE = 16;
  private static final int SLOWEST_MS = UserRoutes.ORDERS_LATENCY_MS;
  private static final int SUM_MS = UserRoutes.USER_LATENCY_MS + UserRoutes.ORDERS_LATENCY_MS
    + UserRoutes.PREFERENCES_LATENCY_MS;
  /** Generous: a loaded 2-core machine; a warm overview spends 5 to 15 ms beyond its slowest query. */
  private static final int MARGIN_MS = 60;
  private static final String BACKENDS = "SELECT pid, backend_start FROM pg_stat_activity"
    + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid";

  private ServiceProcess service;

  @AfterEach
  void stop() throws Exception {
    if (service != null) {
      service.close();
    }
  }

  private record Answer(int status, JsonObject body, long clientMs) {
    long totalMs() {
      return body.getJsonObject("timings").getLong("totalMs");
    }
  }

  @Test
  void the_first_concurrent_overviews_of_every_event_loop_cost_their_slowest_query_and_open_no_connection()
    throws Exception {
    service = ServiceProcess.start("overview-concurrency", Map.of());
    ConnectionSettings db = ConnectionSettings.parse("db.url", service.embeddedPostgres().url());
    int rounds = 2 * eventLoops();
    List<Map<String, Object>> backendsAtReady = PlainSql.query(db, BACKENDS);

    Answer first = overview("concurrent");
    List<Answer> concurrent = new ArrayList<>();
    List<Answer> sequential = new ArrayList<>();
    for (int i = 0; i < rounds; i++) {
      concurrent.add(overview("concurrent"));
    }
    for (int i = 0; i < rounds; i++) {
      sequential.add(overview("sequential"));
    }
    List<Map<String, Object>> backendsAfter = PlainSql.query(db, BACKENDS);

    System.out.printf("first request (concurrent): client %d ms, %s%n", first.clientMs(),
      first.body().getJsonObject("timings"));
    concurrent.forEach(answer -> System.out.printf("concurrent: client %d ms, %s%n", answer.clientMs(),
      answer.body().getJsonObject("timings")));
    sequential.forEach(answer -> System.out.printf("sequential: client %d ms, %s%n", answer.clientMs(),
      answer.body().getJsonObject("timings")));
    assertThat(first.status()).isEqualTo(200);
    assertThat(concurrent).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
    assertThat(sequential).allSatisfy(answer -> assertThat(answer.status()).isEqualTo(200));
    assertThat(backendsAtReady).as("database sessions when the service said ready (db.poolSize %d)", POOL_SIZE)
      .hasSizeGreaterThanOrEqualTo(POOL_SIZE);
    assertThat(backendsAfter).as("no request opened a database connection").isEqualTo(backendsAtReady);
    assertThat(concurrent).as("concurrent: the slowest query (%d ms) and little more", SLOWEST_MS)
      .allSatisfy(answer -> assertThat(answer.totalMs()).isLessThan(SLOWEST_MS + MARGIN_MS));
    assertThat(median(concurrent)).as("concurrent, median as the client sees it (ms)").isLessThan(SLOWEST_MS + MARGIN_MS);
    // pg_sleep never sleeps less: the sequential sum is a floor, not a timing claim
    assertThat(sequential).as("sequential: the sum (%d ms)", SUM_MS)
      .allSatisfy(answer -> assertThat(answer.totalMs()).isGreaterThanOrEqualTo(SUM_MS));
    assertThat(median(concurrent)).isLessThan(median(sequential) - (SUM_MS - SLOWEST_MS) / 2);
  }

  private int eventLoops() {
    return service.lines().stream().map(EVENT_LOOPS::matcher).filter(Matcher::find).findFirst()
      .map(found -> Integer.parseInt(found.group(1))).orElseThrow();
  }

  /** One request on a fresh socket, read until the server closes it; timed as curl's time_total. */
  private Answer overview(String mode) throws IOException {
    long start = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", service.apiPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET /users/1/overview?mode=" + mode + "&latency=true HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      long clientMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      int status = Integer.parseInt(response.substring("HTTP/1.1 ".length(), "HTTP/1.1 ".length() + 3));
      String body = response.substring(response.indexOf("\r\n\r\n") + 4);
      return new Answer(status, new JsonObject(body), clientMs);
    }
  }

  private static long median(List<Answer> answers) {
    List<Long> sorted = answers.stream().map(Answer::clientMs).sorted().toList();
    return sorted.get(sorted.size() / 2);
  }
}
