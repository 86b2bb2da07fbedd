package io.loopscope.http;

import io.loopscope.concurrency.Elapsed;
import io.loopscope.db.UserRepository;
import io.loopscope.concurrency.FanOutException;
import io.loopscope.concurrency.TaskGroup;
import io.loopscope.concurrency.Work;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import static io.loopscope.concurrency.Elapsed.msSince;
import static io.loopscope.http.Responses.json;
import static io.loopscope.http.Validation.params;

/**
 * {@code GET /users/{id}/overview}: the article's {@code io_bound_handler}. Three queries through the
 * reactive pool, at once ({@code concurrent}, the total is the slowest) or one after another
 * ({@code sequential}, the total is the sum). {@code latency=true} adds the article's remote latencies.
 */
public final class UserRoutes {

  static final String CONCURRENT = "concurrent";
  static final String SEQUENTIAL = "sequential";
  static final int USER_LATENCY_MS = 50;
  static final int ORDERS_LATENCY_MS = 80;
  static final int PREFERENCES_LATENCY_MS = 40;

  private final UserRepository users;

  public UserRoutes(UserRepository users) {
    this.users = users;
  }

  /** {@code id}, {@code mode} (concurrent or sequential), {@code latency}. */
  static Validation overviewParams() {
    return params().pathLong("id", 1, Long.MAX_VALUE)
      .queryEnum("mode", List.of(CONCURRENT, SEQUENTIAL), CONCURRENT)
      .queryBool("latency", false);
  }

  public void mount(Router router) {
    router.get("/users/:id/overview").handler(overviewParams()).handler(this::getOverview);
  }

  record Timed<T>(T value, long ms) {
  }

  record Overview(Timed<Optional<JsonObject>> user, Timed<JsonArray> orders,
                          Timed<Optional<JsonObject>> preferences) {
  }

  private void getOverview(RoutingContext ctx) {
    long id = ctx.get("id");
    String mode = ctx.get("mode");
    boolean latency = ctx.get("latency");
    long start = System.nanoTime();
    (SEQUENTIAL.equals(mode) ? fetchSequentially(id, latency) : fetchConcurrently(id, latency))
      .compose(overview -> requireUser(id, overview))
      .onSuccess(overview -> json(ctx, toJson(overview, mode, latency, msSince(start))))
      .onFailure(ctx::fail);
  }

  /** asyncio.gather of the three queries, as a task group: all start now, the slowest decides, a failure stops the wait. */
  private Future<Overview> fetchConcurrently(long id, boolean latency) {
    TaskGroup group = TaskGroup.open();
    Future<Timed<Optional<JsonObject>>> user = group.spawn(Work.uncancellable(() -> fetchUser(id, latency)));
    Future<Timed<JsonArray>> orders = group.spawn(Work.uncancellable(() -> fetchOrders(id, latency)));
    Future<Timed<Optional<JsonObject>>> preferences = group.spawn(Work.uncancellable(() -> fetchPreferences(id, latency)));
    return group.join()
      .recover(FanOutException::failedCall)
      .map(all -> new Overview(user.result(), orders.result(), preferences.result()));
  }

  /** Each query awaits the one before: the times add up. */
  private Future<Overview> fetchSequentially(long id, boolean latency) {
    return fetchUser(id, latency).compose(user ->
      fetchOrders(id, latency).compose(orders ->
        fetchPreferences(id, latency).map(preferences -> new Overview(user, orders, preferences))));
  }

  Future<Timed<Optional<JsonObject>>> fetchUser(long id, boolean latency) {
    return timed(() -> users.findUser(id, latency ? USER_LATENCY_MS : 0));
  }

  Future<Timed<JsonArray>> fetchOrders(long id, boolean latency) {
    return timed(() -> users.latestOrders(id, latency ? ORDERS_LATENCY_MS : 0));
  }

  Future<Timed<Optional<JsonObject>>> fetchPreferences(long id, boolean latency) {
    return timed(() -> users.preferences(id, latency ? PREFERENCES_LATENCY_MS : 0));
  }

  private static <T> Future<Timed<T>> timed(Supplier<Future<T>> query) {
    long start = System.nanoTime();
    return query.get().map(value -> new Timed<>(value, msSince(start)));
  }

  static Future<Overview> requireUser(long id, Overview overview) {
    return overview.user().value().isPresent()
      ? Future.succeededFuture(overview)
      : Future.failedFuture(Problem.notFound("No user " + id).toException());
  }

  static JsonObject toJson(Overview overview, String mode, boolean latency, long totalMs) {
    return new JsonObject()
      .put("mode", mode)
      .put("latency", latency)
      .put("user", overview.user().value().orElseThrow())
      .put("orders", overview.orders().value())
      .put("preferences", overview.preferences().value().orElse(null))
      .put("timings", new JsonObject()
        .put("userMs", overview.user().ms())
        .put("ordersMs", overview.orders().ms())
        .put("preferencesMs", overview.preferences().ms())
        .put("totalMs", totalMs));
  }
}
