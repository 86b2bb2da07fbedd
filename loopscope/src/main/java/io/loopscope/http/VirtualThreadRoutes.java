package io.loopscope.http;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.concurrency.Outcome;
import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.upstream.BlockingUpstreamClient;
import io.loopscope.upstream.UpstreamClient;
import io.loopscope.vthreads.CarrierPin;
import io.loopscope.vthreads.Spin;
import io.loopscope.vthreads.VirtualThreads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

import static io.loopscope.concurrency.Elapsed.msSince;
import static io.loopscope.http.Responses.json;

/**
 * The article's endpoints in await style, under {@code /vt}: each request's work runs top to bottom on a
 * virtual thread of {@link VirtualThreads}, where {@code future.await()} suspends the thread the way
 * {@code await} suspends a coroutine. The routes live on the API router, so parsing, validation, problem
 * bodies and the answer itself stay on the event loop, exactly as for the other routes; only the work
 * hops to a virtual thread. On Java 17 every {@code /vt} route answers 501 to a request whose parameters are valid.
 */
public final class VirtualThreadRoutes {

  static final String SEQUENTIAL = "sequential";
  static final String ALL = "all";

  private final Vertx vertx;
  private final LoopscopeConfig config;
  private final VirtualThreads virtualThreads;
  private final LoopWatch loopWatch;
  private final UpstreamClient upstream;
  private final BlockingUpstreamClient blockingUpstream;
  private final UserRoutes users;

  public VirtualThreadRoutes(Vertx vertx, LoopscopeConfig config, VirtualThreads virtualThreads, LoopWatch loopWatch,
                             UpstreamClient upstream, BlockingUpstreamClient blockingUpstream, UserRoutes users) {
    this.vertx = vertx;
    this.config = config;
    this.virtualThreads = virtualThreads;
    this.loopWatch = loopWatch;
    this.upstream = upstream;
    this.blockingUpstream = blockingUpstream;
    this.users = users;
  }

  public void mount(Router router) {
    get(router, "/vt/test/async", ArticleRoutes.waitParams(config))
      .handler(ctx -> answer(ctx, testAsync(ctx.get("ms"))));
    get(router, "/vt/test/sync", ArticleRoutes.waitParams(config))
      .handler(ctx -> answer(ctx, testSync(ctx.get("ms"))));
    if (config.demo().badExampleEnabled()) {
      get(router, "/vt/bad-example", ArticleRoutes.upstreamParams(config))
        .handler(ctx -> answer(ctx, badExample(ctx.get("ms"), ctx.get("fail"))));
    }
    get(router, "/vt/gather", ConcurrencyRoutes.fanOutParams(config).queryEnum("mode", List.of(ALL, SEQUENTIAL), ALL))
      .handler(ctx -> answer(ctx, gather(ctx.get("mode"), ctx.get("n"), ctx.get("ms"))));
    get(router, "/vt/users/:id/overview", UserRoutes.overviewParams())
      .handler(ctx -> answer(ctx, overview(ctx.get("id"), ctx.get("mode"), ctx.get("latency"))));
    get(router, "/vt/pinned", ArticleRoutes.waitParams(config))
      .handler(ctx -> answer(ctx, pinned(ctx.get("ms"))));
    get(router, "/vt/spin", ArticleRoutes.waitParams(config))
      .handler(ctx -> answer(ctx, spin(ctx.get("ms"))));
  }

  /**
   * A {@code /vt} route: its parameters checked first, so bad input is the same 400 on every Java, then 501
   * where this Java has no virtual threads.
   */
  private Route get(Router router, String path, Validation params) {
    return router.get(path).handler(params).handler(this::requireVirtualThreads);
  }

  private void requireVirtualThreads(RoutingContext ctx) {
    if (!virtualThreads.available()) {
      ctx.fail(Problem.of(501, "virtual-threads-unavailable", "Virtual threads unavailable",
        "This endpoint runs on a virtual thread: it needs Java " + VirtualThreads.JAVA_RELEASE
          + " or later; this is Java " + Runtime.version().feature()).toException());
      return;
    }
    ctx.next();
  }

  /** Runs the work on a virtual thread, watched by LoopWatch under this route's name, and answers from the loop. */
  private void answer(RoutingContext ctx, Callable<JsonObject> work) {
    virtualThreads.run(loopWatch == null ? work : loopWatch.onVirtualThread(ctx, work))
      .onSuccess(body -> json(ctx, body))
      .onFailure(ctx::fail);
  }

  /** {@code await asyncio.sleep(ms)}. */
  private Callable<JsonObject> testAsync(int ms) {
    return () -> {
      long start = System.nanoTime();
      if (ms > 0) {
        vertx.timer(ms).await();
      }
      return ArticleRoutes.waitedSince(start);
    };
  }

  /** {@code time.sleep(ms)}: parks the virtual thread and frees its carrier, so no executeBlocking. */
  private Callable<JsonObject> testSync(int ms) {
    long requestStart = System.nanoTime();
    return () -> ArticleRoutes.sleepBlocking(ms, requestStart);
  }

  /** The article's {@code requests.get}: the blocking JDK call parks the virtual thread, not an event loop. */
  private Callable<JsonObject> badExample(int ms, boolean fail) {
    return () -> blockingUpstream.fetchPostBlocking(ArticleRoutes.POST_ID, ms, fail);
  }

  /** {@code await gather(*calls)}, or one {@code await} after another. */
  private Callable<JsonObject> gather(String mode, int n, int ms) {
    return () -> {
      long start = System.nanoTime();
      List<Outcome<JsonObject>> outcomes = new ArrayList<>();
      if (SEQUENTIAL.equals(mode)) {
        for (int i = 0; i < n; i++) {
          outcomes.add(call(i, ms).await());
        }
      } else {
        List<Future<Outcome<JsonObject>>> calls = IntStream.range(0, n).mapToObj(i -> call(i, ms)).toList();
        Future.all(calls).await();
        calls.forEach(call -> outcomes.add(call.result()));
      }
      return new JsonObject().put("mode", mode).put("n", n).put("elapsedMs", msSince(start))
        .put("calls", ConcurrencyRoutes.outcomesJson(outcomes));
    };
  }

  /** Call i: the upstream's post i + 1, timed. */
  private Future<Outcome<JsonObject>> call(int index, int ms) {
    long start = System.nanoTime();
    return upstream.fetchPost(index + 1, ms, false).map(post -> new Outcome<>(index, post, null, msSince(start), false));
  }

  /** The user overview's three queries, all started then awaited together, or awaited one by one. */
  private Callable<JsonObject> overview(long id, String mode, boolean latency) {
    return () -> {
      long start = System.nanoTime();
      UserRoutes.Overview overview;
      if (UserRoutes.SEQUENTIAL.equals(mode)) {
        overview = new UserRoutes.Overview(users.fetchUser(id, latency).await(), users.fetchOrders(id, latency).await(),
          users.fetchPreferences(id, latency).await());
      } else {
        Future<UserRoutes.Timed<Optional<JsonObject>>> user = users.fetchUser(id, latency);
        Future<UserRoutes.Timed<JsonArray>> orders = users.fetchOrders(id, latency);
        Future<UserRoutes.Timed<Optional<JsonObject>>> preferences = users.fetchPreferences(id, latency);
        Future.all(user, orders, preferences).await();
        overview = new UserRoutes.Overview(user.result(), orders.result(), preferences.result());
      }
      UserRoutes.requireUser(id, overview).await();
      return UserRoutes.toJson(overview, mode, latency, msSince(start));
    };
  }

  /** Holds the carrier thread for ms (a sleep inside a class initializer): LoopWatch reports it as pinned. */
  private Callable<JsonObject> pinned(int ms) {
    return () -> {
      long start = System.nanoTime();
      CarrierPin.pinFor(ms);
      return new JsonObject().put("pinnedMs", msSince(start)).put("thread", Thread.currentThread().getName());
    };
  }

  /** Keeps the virtual thread on the CPU for ms without parking: LoopWatch reports it as hogging its carrier. */
  private Callable<JsonObject> spin(int ms) {
    return () -> {
      long start = System.nanoTime();
      long turns = Spin.spinFor(ms);
      return new JsonObject().put("spunMs", msSince(start)).put("turns", turns).put("thread", Thread.currentThread().getName());
    };
  }
}
