package io.loopscope.diagnostics;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.testing.SharedServiceClients;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The house rule, checked: under load, the product's good endpoints never block an event loop.
 * LoopWatch would report any dispatch over 100 ms; after a load of every kind of work the service
 * does (timers, the blocking pool, the upstream client, the CPU pool, PostgreSQL, the legacy JDBC
 * workers, composite futures), it has reported none, and raised no warning (no saturated or serialised
 * pool, no route busy on its loop).
 */
class NoBlockedLoopsTest {

  private static final int CALLS = 2_000;
  private static final int CONCURRENCY = 50;
  private static final int WARM_UP_CALLS = 500;

  /** Every good endpoint, with small inputs; each call's index picks one. */
  private static final List<Function<WebClient, HttpRequest<Buffer>>> ENDPOINTS = List.of(
    c -> c.get("/test/async?ms=5"),
    c -> c.get("/test/sync?ms=5"),
    c -> c.get("/good-example?ms=5"),
    c -> c.post("/process"),
    c -> c.get("/sync-example"),
    c -> c.get("/users/42/overview"),
    c -> c.get("/legacy/users/42"),
    c -> c.get("/gather?mode=all&n=3&ms=5"),
    c -> c.get("/taskgroup?n=3&ms=5"),
    c -> c.get("/background?ms=10"));
  private static final Buffer SMALL_BODY = Buffer.buffer("[5,3,9,1,7,2,8]");

  @RegisterExtension
  static final SharedServiceClients service = new SharedServiceClients();

  @Test
  void two_thousand_calls_over_every_good_endpoint_at_concurrency_50_block_no_loop_and_raise_no_warning() {
    // a first call each loads its classes and warms its pools; load starts after that
    for (int i = 0; i < ENDPOINTS.size(); i++) {
      assertThat(call(i).await().statusCode()).as("warm-up call %d", i).isBetween(200, 299);
    }
    // the lints judge a warm service: a round over every endpoint on every loop first (the JIT's first compiles
    // of each route's path take milliseconds), then a clean slate
    load(WARM_UP_CALLS);
    service.admin().post("/diagnostics/reset").send().await();
    long lastReportBefore = lastReportId();

    Map<Integer, Integer> statuses = load(CALLS);

    assertThat(new TreeMap<>(statuses)).as("statuses").isEqualTo(Map.of(200, CALLS));
    JsonArray reports = service.admin().get("/diagnostics/blocked?limit=500").send().await().bodyAsJsonObject().getJsonArray("reports");
    List<String> newReports = reports.stream().map(JsonObject.class::cast)
      .filter(report -> report.getLong("id") > lastReportBefore)
      .map(report -> report.getString("route") + " on " + report.getString("thread") + ": " + report.getDouble("durationMs") + " ms, culprit " + report.getValue("culprit"))
      .toList();
    assertThat(newReports).as("blocked-thread reports during the load").isEmpty();
    JsonArray warnings = service.admin().get("/diagnostics/warnings").send().await().bodyAsJsonObject().getJsonArray("warnings");
    assertThat(warnings.stream().map(JsonObject.class::cast).map(JsonObject::encode).toList())
      .as("LoopWatch's warnings after the load").isEmpty();
  }

  /** {@code calls} calls over the endpoints in turn, {@value #CONCURRENCY} at a time; the count per status. */
  private static Map<Integer, Integer> load(int calls) {
    Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < CONCURRENCY; w++) {
      Future<Void> chain = Future.succeededFuture();
      for (int k = w; k < calls; k += CONCURRENCY) {
        int index = k;
        chain = chain.compose(v -> call(index).map(response -> {
          statuses.merge(response.statusCode(), 1, Integer::sum);
          return null;
        }));
      }
      workers.add(chain);
    }
    Future.all(workers).await();
    return statuses;
  }

  private static Future<HttpResponse<Buffer>> call(int index) {
    HttpRequest<Buffer> request = ENDPOINTS.get(index % ENDPOINTS.size()).apply(service.api()).timeout(30_000);
    return index % ENDPOINTS.size() == 3 ? request.sendBuffer(SMALL_BODY) : request.send();
  }

  private static long lastReportId() {
    JsonArray reports = service.admin().get("/diagnostics/blocked?limit=1").send().await().bodyAsJsonObject().getJsonArray("reports");
    return reports.isEmpty() ? 0 : reports.getJsonObject(0).getLong("id");
  }
}
