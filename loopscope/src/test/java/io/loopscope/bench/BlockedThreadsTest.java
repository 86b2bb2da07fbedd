package io.loopscope.bench;

import io.loopscope.loopwatch.LoopWatch;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** How the demo reads LoopWatch's {@code GET /diagnostics/blocked}, and what it does when there is no LoopWatch. */
@ExtendWith(VertxExtension.class)
class BlockedThreadsTest {

  private static final Instant RUN_START = Instant.parse("2026-11-24T10:00:00Z");
  private static final Instant RUN_END = Instant.parse("2026-11-24T10:00:03Z");

  private HttpServer admin;
  private WebClient client;

  @AfterEach
  void close() {
    client.close();
    admin.close().await();
  }

  private void startAdmin(Vertx vertx, int status, JsonObject body) {
    admin = vertx.createHttpServer()
      .requestHandler(request -> request.response().setStatusCode(request.path().equals(BlockedThreads.PATH) ? status : 404)
        .end(body.encode()))
      .listen(0, "127.0.0.1").await();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(admin.actualPort()));
  }

  private static JsonObject report(int id, String startedAt, double durationMs) {
    return new JsonObject().put("id", id).put("thread", "vert.x-eventloop-thread-2").put("loop", 2).put("pool", "event-loop")
      .put("route", "GET /bad-example").put("startedAt", startedAt).put("detectedAfterMs", 121).put("durationMs", durationMs)
      .put("ongoing", false).put("stack", new JsonArray().add("java.net.http.HttpClient.send(HttpClient.java:1)")
        .add("io.loopscope.upstream.BlockingUpstreamClient.fetchPostBlocking(BlockingUpstreamClient.java:2)"))
      .put("secret", "not for us");
  }

  @Test
  void keeps_the_reports_of_the_run_longest_first_with_only_the_known_fields(Vertx vertx, VertxTestContext ctx) {
    startAdmin(vertx, 200, new JsonObject().put("reports", new JsonArray()
      .add(report(3, "2026-11-24T10:00:05Z", 900))
      .add(report(2, "2026-11-24T10:00:02Z", 305))
      .add(report(1, "2026-11-24T10:00:01.500+00:00", 410))
      .add(report(0, "2026-11-24T09:59:59Z", 999))));
    BlockedThreads.fetch(client).onComplete(ctx.succeeding(reports -> ctx.verify(() -> {
      assertThat(reports).isPresent();
      JsonArray during = BlockedThreads.during(reports.get(), RUN_START, RUN_END);
      assertThat(during.stream().map(r -> ((JsonObject) r).getInteger("id"))).containsExactly(1, 2);
      JsonObject longest = during.getJsonObject(0);
      assertThat(longest.containsKey("secret")).isFalse();
      assertThat(BlockedThreads.headline(longest))
        .isEqualTo("vert.x-eventloop-thread-2 (event-loop 2) blocked 410 ms on GET /bad-example, reported after 121 ms");
      assertThat(BlockedThreads.topFrames(longest)).containsExactly("at java.net.http.HttpClient.send(HttpClient.java:1)",
        "at io.loopscope.upstream.BlockingUpstreamClient.fetchPostBlocking(BlockingUpstreamClient.java:2)");
      ctx.completeNow();
    })));
  }

  @Test
  void no_loopwatch_means_no_reports(Vertx vertx, VertxTestContext ctx) {
    startAdmin(vertx, 404, new JsonObject());
    BlockedThreads.fetch(client).onComplete(ctx.succeeding(reports -> ctx.verify(() -> {
      assertThat(reports).isEmpty();
      ctx.completeNow();
    })));
  }

  @Test
  void a_broken_admin_server_is_an_error_not_an_empty_list(Vertx vertx, VertxTestContext ctx) {
    startAdmin(vertx, 500, new JsonObject());
    BlockedThreads.fetch(client).onComplete(ctx.failing(failure -> ctx.completeNow()));
  }
}
