package io.loopscope.http;

import io.loopscope.testing.PlainSql;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class UserRoutesTest {

  /** Seeded: user 13 has 21 orders (more than the 20 shown), user 23 has none, user 42 has 13. */
  private static final int MORE_THAN_20_ORDERS = 13;

  private static TestService service;
  private WebClient client;

  @BeforeAll
  static void startService() {
    service = TestService.shared();
  }

  @BeforeEach
  void connect(Vertx vertx) {
    client = service.apiClient(vertx);
  }

  @AfterEach
  void close() {
    client.close();
  }

  @ParameterizedTest
  @ValueSource(longs = {MORE_THAN_20_ORDERS, 23, 42, 10_000})
  void the_overview_equals_what_plain_sql_returns(long id, VertxTestContext ctx) {
    JsonObject expectedUser = expectedUser(id);
    JsonArray expectedOrders = expectedOrders(id);
    JsonObject expectedPreferences = expectedPreferences(id);
    client.get("/users/" + id + "/overview").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(200);
      JsonObject body = response.bodyAsJsonObject();
      assertThat(body.getString("mode")).isEqualTo("concurrent");
      assertThat(body.getJsonObject("user")).isEqualTo(expectedUser);
      assertThat(body.getJsonArray("orders")).isEqualTo(expectedOrders);
      assertThat(body.getJsonObject("preferences")).isEqualTo(expectedPreferences);
      ctx.completeNow();
    })));
  }

  @Test
  void shows_at_most_the_latest_20_orders_and_an_empty_list_for_none(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> many = client.get("/users/" + MORE_THAN_20_ORDERS + "/overview").send();
    Future<HttpResponse<Buffer>> none = client.get("/users/23/overview?mode=sequential").send();
    Future.all(many, none).onComplete(ctx.succeeding(both -> ctx.verify(() -> {
      assertThat(many.result().bodyAsJsonObject().getJsonArray("orders")).hasSize(20);
      assertThat(none.result().bodyAsJsonObject().getJsonArray("orders")).isEmpty();
      assertThat(none.result().bodyAsJsonObject().getString("mode")).isEqualTo("sequential");
      ctx.completeNow();
    })));
  }

  @Test
  void both_modes_answer_the_same_data(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> concurrent = client.get("/users/777/overview?mode=concurrent").send();
    Future<HttpResponse<Buffer>> sequential = client.get("/users/777/overview?mode=sequential").send();
    Future.all(concurrent, sequential).onComplete(ctx.succeeding(both -> ctx.verify(() -> {
      JsonObject a = concurrent.result().bodyAsJsonObject();
      JsonObject b = sequential.result().bodyAsJsonObject();
      for (String part : List.of("user", "orders", "preferences")) {
        assertThat(a.getValue(part)).isEqualTo(b.getValue(part));
      }
      ctx.completeNow();
    })));
  }

  /**
   * The article's io_bound_handler: 50, 80 and 40 ms of simulated latency. Together they take the
   * slowest (about 80 ms), one after another the sum (at least 170 ms). The machine is shared, so
   * the concurrent claim is the best of three runs; the sequential floor is physics and holds for every run.
   */
  @Test
  void concurrent_takes_as_long_as_the_slowest_query_and_sequential_the_sum(VertxTestContext ctx) {
    List<Long> concurrentMs = new ArrayList<>();
    List<Long> sequentialMs = new ArrayList<>();
    Future<Void> runs = timedGet("/users/5/overview?mode=concurrent").mapEmpty(); // warm-up: connections, statements
    for (int i = 0; i < 3; i++) {
      runs = runs
        .compose(v -> timedGet("/users/5/overview?mode=concurrent&latency=true")).map(concurrentMs::add).mapEmpty()
        .compose(v -> timedGet("/users/5/overview?mode=sequential&latency=true")).map(sequentialMs::add).mapEmpty();
    }
    runs.onComplete(ctx.succeeding(v -> ctx.verify(() -> {
      assertThat(concurrentMs.stream().mapToLong(Long::longValue).min().orElseThrow()).isLessThan(140);
      assertThat(sequentialMs).allSatisfy(ms -> assertThat(ms).isGreaterThan(160));
      ctx.completeNow();
    })));
  }

  @Test
  void reports_each_query_time_at_least_its_simulated_latency(VertxTestContext ctx) {
    client.get("/users/5/overview?mode=sequential&latency=true").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      JsonObject timings = response.bodyAsJsonObject().getJsonObject("timings");
      assertThat(timings.getLong("userMs")).isGreaterThanOrEqualTo(UserRoutes.USER_LATENCY_MS);
      assertThat(timings.getLong("ordersMs")).isGreaterThanOrEqualTo(UserRoutes.ORDERS_LATENCY_MS);
      assertThat(timings.getLong("preferencesMs")).isGreaterThanOrEqualTo(UserRoutes.PREFERENCES_LATENCY_MS);
      assertThat(timings.getLong("totalMs")).isGreaterThanOrEqualTo(
        timings.getLong("userMs") + timings.getLong("ordersMs") + timings.getLong("preferencesMs"));
      ctx.completeNow();
    })));
  }

  @Test
  void an_unknown_user_is_404(VertxTestContext ctx) {
    client.get("/users/10001/overview").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(404);
      assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
      assertThat(response.bodyAsJsonObject().getString("type")).endsWith(":not-found");
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @ValueSource(strings = {"1%3BDROP%20TABLE%20users", "1;DROP%20TABLE%20users", "-1", "0", "99999999999999999999",
    "1.5", "abc", "1%27%20OR%20%271%27%3D%271", "%00"})
  void a_hostile_id_is_400_and_the_tables_stay_intact(String id, Vertx vertx, VertxTestContext ctx) {
    client.get("/users/" + id + "/overview").send()
      .compose(response -> {
        ctx.verify(() -> {
          assertThat(response.statusCode()).isEqualTo(400);
          assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
          assertThat(response.bodyAsJsonObject().getString("field")).isEqualTo("id");
        });
        return seedIntact(vertx, service);
      })
      .onComplete(ctx.succeedingThenComplete());
  }

  @ParameterizedTest
  @ValueSource(strings = {"mode=parallel", "mode=concurrent&mode=sequential", "latency=maybe",
    "mode=%27%3B%20DROP%20TABLE%20users%3B--"})
  void a_bad_mode_or_latency_is_400(String query, VertxTestContext ctx) {
    client.get("/users/1/overview?" + query).send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.statusCode()).isEqualTo(400);
      assertThat(response.getHeader("content-type")).isEqualTo(Problem.MEDIA_TYPE);
      assertThat(response.bodyAsJsonObject().getString("field")).isIn("mode", "latency");
      ctx.completeNow();
    })));
  }

  /** The seed's row counts, read with plain JDBC on a worker thread: hostile input must not have changed them. */
  static Future<Void> seedIntact(Vertx vertx, TestService service) {
    return vertx.executeBlocking(() -> {
      assertThat(PlainSql.count(service, "users")).isEqualTo(10_000);
      assertThat(PlainSql.count(service, "preferences")).isEqualTo(10_000);
      assertThat(PlainSql.count(service, "orders")).isEqualTo(expectedOrderCount());
      return null;
    });
  }

  /** Orders per user in the seed: (u * 37) % 23. */
  static long expectedOrderCount() {
    long total = 0;
    for (long u = 1; u <= 10_000; u++) {
      total += (u * 37) % 23;
    }
    return total;
  }

  private Future<Long> timedGet(String uri) {
    long start = System.nanoTime();
    return client.get(uri).send().map(response -> {
      if (response.statusCode() != 200) {
        throw new IllegalStateException(uri + " answered " + response.statusCode());
      }
      return (System.nanoTime() - start) / 1_000_000;
    });
  }

  private static JsonObject expectedUser(long id) {
    Map<String, Object> row = PlainSql.query(service, "SELECT id, name, email, created_at FROM users WHERE id = ?", id).get(0);
    return new JsonObject().put("id", row.get("id")).put("name", row.get("name")).put("email", row.get("email"))
      .put("createdAt", ((Timestamp) row.get("created_at")).toInstant().toString());
  }

  private static JsonArray expectedOrders(long id) {
    JsonArray orders = new JsonArray();
    PlainSql.query(service, "SELECT id, total_cents, status, created_at FROM orders WHERE user_id = ?"
      + " ORDER BY created_at DESC, id DESC LIMIT 20", id).forEach(row -> orders.add(new JsonObject()
      .put("id", row.get("id")).put("totalCents", row.get("total_cents")).put("status", row.get("status"))
      .put("createdAt", ((Timestamp) row.get("created_at")).toInstant().toString())));
    return orders;
  }

  private static JsonObject expectedPreferences(long id) {
    Map<String, Object> row = PlainSql.query(service, "SELECT theme, language, newsletter FROM preferences WHERE user_id = ?", id).get(0);
    return new JsonObject().put("theme", row.get("theme")).put("language", row.get("language")).put("newsletter", row.get("newsletter"));
  }
}
