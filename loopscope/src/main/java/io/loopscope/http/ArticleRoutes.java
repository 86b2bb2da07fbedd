package io.loopscope.http;

import io.loopscope.concurrency.Elapsed;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.cpu.CpuPool;
import io.loopscope.cpu.SortJob;
import io.loopscope.overload.BodyBudget;
import io.loopscope.upstream.BlockingUpstreamClient;
import io.loopscope.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.stream.IntStream;

import static io.loopscope.concurrency.Elapsed.msSince;
import static io.loopscope.http.Responses.json;
import static io.loopscope.http.Validation.params;

/** The article's endpoints: async and sync waits, the bad and the good upstream call, CPU work on its own pool. */
public final class ArticleRoutes {

  public static final String WORKER_POOL_HEADER = "X-Worker-Pool";
  public static final String WORKER_THREAD_HEADER = "X-Worker-Thread";
  static final int POST_ID = 1;
  private static final Buffer SYNC_EXAMPLE = new JsonObject()
    .put("numbers", new JsonArray(IntStream.range(0, 1000).boxed().toList())).toBuffer();

  private final Vertx vertx;
  private final LoopscopeConfig config;
  private final CpuPool cpuPool;
  private final UpstreamClient upstream;
  private final BlockingUpstreamClient blockingUpstream;
  private final BodyLimit bodyLimit;

  ArticleRoutes(Vertx vertx, LoopscopeConfig config, CpuPool cpuPool, UpstreamClient upstream,
                BlockingUpstreamClient blockingUpstream, BodyLimit bodyLimit) {
    this.vertx = vertx;
    this.config = config;
    this.cpuPool = cpuPool;
    this.upstream = upstream;
    this.blockingUpstream = blockingUpstream;
    this.bodyLimit = bodyLimit;
  }

  /** {@code ms}: how long to wait, up to {@code demo.maxDelayMs}, 100 by default. */
  static Validation waitParams(LoopscopeConfig config) {
    return params().queryInt("ms", 0, config.demo().maxDelayMs(), 100);
  }

  /** {@code ms}: the upstream's delay (its default latency when absent); {@code fail}: make it answer 500. */
  static Validation upstreamParams(LoopscopeConfig config) {
    int maxDelayMs = config.demo().maxDelayMs();
    return params()
      .queryInt("ms", 0, maxDelayMs, Math.min(config.upstream().latencyMs(), maxDelayMs))
      .queryBool("fail", false);
  }

  public void mount(Router router) {
    Validation upstreamParams = upstreamParams(config);

    router.get("/test/async").handler(waitParams(config)).handler(this::testAsync);
    router.get("/test/sync").handler(waitParams(config).queryBool("ordered", false)).handler(this::testSync);
    if (config.demo().badExampleEnabled()) {
      router.get("/bad-example").handler(upstreamParams).handler(this::badExample);
    }
    router.get("/good-example").handler(upstreamParams).handler(this::goodExample);
    router.get("/async-example").handler(upstreamParams).handler(this::goodExample);
    router.get("/sync-example").handler(this::syncExample);
    router.post("/process")
      .handler(bodyLimit)
      .handler(this::process);
  }

  /** {@code await asyncio.sleep(ms)}: a timer; the event loop serves others meanwhile. */
  private void testAsync(RoutingContext ctx) {
    int ms = ctx.get("ms");
    long start = System.nanoTime();
    sleepAsync(ms).onSuccess(v -> json(ctx, 200, Responses.waited(msSince(start))));
  }

  /** The answer of a wait that began at {@code start}. */
  static JsonObject waitedSince(long start) {
    return new JsonObject().put("data", "ok").put("waitedMs", msSince(start));
  }

  private Future<Void> sleepAsync(int ms) {
    return ms == 0 ? Future.succeededFuture() : vertx.timer(ms);
  }

  /** FastAPI's {@code def} route: {@code time.sleep} on a thread of the blocking pool; {@code ordered} queues behind this loop's other ordered calls. */
  private void testSync(RoutingContext ctx) {
    int ms = ctx.get("ms");
    boolean ordered = ctx.get("ordered");
    long start = System.nanoTime();
    vertx.executeBlocking(() -> sleepBlocking(ms, start), ordered)
      .onSuccess(slept -> json(ctx, slept.put("ordered", ordered)))
      .onFailure(ctx::fail);
  }

  /** {@code time.sleep(ms)} on the calling thread: how long it queued before, waited, and on which thread. */
  static JsonObject sleepBlocking(int ms, long requestStart) throws InterruptedException {
    long queuedMs = msSince(requestStart);
    long start = System.nanoTime();
    Thread.sleep(ms);
    return new JsonObject().put("data", "ok").put("waitedMs", msSince(start)).put("queuedMs", queuedMs)
      .put("thread", Thread.currentThread().getName());
  }

  /** The article's bad example, on purpose: a blocking HTTP call made on the event loop. Every request queued on this loop waits too. */
  private void badExample(RoutingContext ctx) {
    json(ctx, blockingUpstream.fetchPostBlocking(POST_ID, ctx.get("ms"), ctx.get("fail")));
  }

  /** The good example: the same call through WebClient; the loop is free while it waits. */
  private void goodExample(RoutingContext ctx) {
    upstream.fetchPost(POST_ID, ctx.get("ms"), ctx.get("fail"))
      .onSuccess(post -> json(ctx, post))
      .onFailure(ctx::fail);
  }

  private void syncExample(RoutingContext ctx) {
    json(ctx, 200, SYNC_EXAMPLE);
  }

  /**
   * {@code run_in_executor(ProcessPoolExecutor, ...)}: parse and sort on the cpu pool, answer from the loop.
   * The job holds the body's budget until it is done, even if the client has gone by then.
   */
  private void process(RoutingContext ctx) {
    BodyLimit.Body body = BodyLimit.body(ctx);
    if (body.content().length() == 0) {
      ctx.fail(Problem.invalidBody("body", "The body must be a JSON array of numbers").toException());
      return;
    }
    int maxItems = config.cpu().maxItems();
    BodyBudget.Reservation held = body.reservation().retain();
    cpuPool.submit(() -> SortJob.run(body.content().stream(), body.content().length(), maxItems))
      .andThen(done -> held.release())
      .onSuccess(sorted -> ctx.response()
        .putHeader(WORKER_POOL_HEADER, CpuPool.NAME)
        .putHeader(WORKER_THREAD_HEADER, sorted.thread())
        .putHeader(HttpHeaders.CONTENT_TYPE, Responses.JSON)
        .end(sorted.body()))
      .onFailure(ctx::fail);
  }
}
