package io.loopscope.http;

import io.loopscope.concurrency.Elapsed;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.failures.Failure;
import io.loopscope.concurrency.CancelledException;
import io.loopscope.concurrency.FanOut;
import io.loopscope.concurrency.FanOutException;
import io.loopscope.concurrency.Outcome;
import io.loopscope.concurrency.Sequential;
import io.loopscope.concurrency.TaskGroup;
import io.loopscope.concurrency.Work;
import io.loopscope.upstream.UpstreamClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import static io.loopscope.concurrency.Elapsed.msSince;
import static io.loopscope.http.Responses.json;
import static io.loopscope.http.Validation.params;

/**
 * The article's composite awaits over n upstream calls: {@code gather} ({@code mode=all}),
 * {@code return_exceptions=True} ({@code join}), first success ({@code any}), one await after another
 * ({@code /sequential}), {@code TaskGroup} ({@code /taskgroup}) and {@code create_task} ({@code /background}).
 * Call i asks the upstream for post i + 1, taking {@code ms}; a call listed in {@code fail} fails after {@code failMs}.
 */
public final class ConcurrencyRoutes {

  static final List<String> MODES = List.of("all", "join", "any");

  private final Vertx vertx;
  private final LoopscopeConfig config;
  private final UpstreamClient upstream;

  public ConcurrencyRoutes(Vertx vertx, LoopscopeConfig config, UpstreamClient upstream) {
    this.vertx = vertx;
    this.config = config;
    this.upstream = upstream;
  }

  /** {@code n} calls (up to {@code concurrency.maxFanOut}) of {@code ms} each. */
  static Validation fanOutParams(LoopscopeConfig config) {
    return params().queryInt("n", 1, config.concurrency().maxFanOut(), 3).queryInt("ms", 0, config.demo().maxDelayMs(), 100);
  }

  public void mount(Router router) {
    int maxFanOut = config.concurrency().maxFanOut();
    int maxDelayMs = config.demo().maxDelayMs();
    router.get("/gather")
      .handler(params().queryEnum("mode", MODES, "all").queryInt("n", 1, maxFanOut, 3).queryInt("ms", 0, maxDelayMs, 100)
        .queryIntList("fail", 0, maxFanOut - 1, maxFanOut).queryInt("failMs", 0, maxDelayMs, 50)
        .queryOptionalInt("deadlineMs", 1, maxDelayMs))
      .handler(ConcurrencyRoutes::checkFailIndexes)
      .handler(this::gather);
    router.get("/sequential").handler(fanOutParams(config)).handler(this::sequential);
    router.get("/taskgroup")
      .handler(params().queryInt("n", 1, maxFanOut, 3).queryInt("ms", 0, maxDelayMs, 1000)
        .queryIntList("fail", 0, maxFanOut - 1, maxFanOut).queryInt("failMs", 0, maxDelayMs, 50))
      .handler(ConcurrencyRoutes::checkFailIndexes)
      .handler(this::taskGroup);
    router.get("/background")
      .handler(params().queryInt("ms", 0, maxDelayMs, 500))
      .handler(this::background);
  }

  /** A failing call must be one of the n. */
  private static void checkFailIndexes(RoutingContext ctx) {
    int n = ctx.get("n");
    List<Integer> fail = ctx.get("fail");
    if (fail.stream().anyMatch(index -> index >= n)) {
      ctx.fail(Validation.invalid("fail", "fail lists call indexes, each between 0 and n - 1 = " + (n - 1)));
      return;
    }
    ctx.next();
  }

  private void gather(RoutingContext ctx) {
    String mode = ctx.get("mode");
    Integer deadlineMs = ctx.get("deadlineMs");
    FanOut<JsonObject> calls = FanOut.start(calls(ctx));
    Future<JsonObject> result = switch (mode) {
      case "all" -> calls.all().map(values -> new JsonObject().put("calls", outcomesJson(calls.finishedOutcomes())));
      case "join" -> calls.join().map(outcomes -> new JsonObject().put("calls", outcomesJson(List.copyOf(outcomes))));
      default -> calls.any().map(winner -> new JsonObject().put("winner", outcomeJson(winner))
        .put("calls", outcomesJson(calls.finishedOutcomes())));
    };
    (deadlineMs == null ? result : calls.within(vertx, deadlineMs, result))
      .map(body -> body.put("mode", mode).put("n", calls.size()).put("elapsedMs", calls.elapsedMs()))
      .onSuccess(body -> json(ctx, body))
      .onFailure(failure -> ctx.fail(problemFor(failure, calls.elapsedMs())));
  }

  private void sequential(RoutingContext ctx) {
    long start = System.nanoTime();
    Sequential.run(calls(ctx))
      .onSuccess(outcomes -> json(ctx, new JsonObject().put("n", outcomes.size()).put("elapsedMs", msSince(start))
        .put("calls", outcomesJson(List.copyOf(outcomes)))))
      .onFailure(failure -> ctx.fail(problemFor(failure, msSince(start))));
  }

  private void taskGroup(RoutingContext ctx) {
    long start = System.nanoTime();
    TaskGroup group = TaskGroup.open();
    calls(ctx).forEach(group::spawn);
    group.join()
      .onSuccess(outcomes -> json(ctx, new JsonObject().put("n", outcomes.size()).put("elapsedMs", msSince(start))
        .put("calls", outcomesJson(List.copyOf(outcomes)))))
      .onFailure(failure -> ctx.fail(problemFor(failure, msSince(start))));
  }

  /** Call i as cancellable work: the simulator's post i + 1, slow or failing as asked. */
  private List<Work<JsonObject>> calls(RoutingContext ctx) {
    int n = ctx.get("n");
    int ms = ctx.get("ms");
    List<Integer> fail = ctx.get("fail") == null ? List.of() : ctx.get("fail");
    int failMs = ctx.get("failMs") == null ? 0 : ctx.get("failMs");
    return IntStream.range(0, n).<Work<JsonObject>>mapToObj(i -> fail.contains(i)
      ? cancellation -> upstream.fetchPost(i + 1, failMs, true, cancellation)
      : cancellation -> upstream.fetchPost(i + 1, ms, false, cancellation)).toList();
  }

  /**
   * {@code create_task}: task 1 starts; the handler does other non-blocking work for ms/2; task 2
   * starts; then both are awaited. The timeline shows the overlap: about 1.5 x ms in all, not 2.5 x ms.
   */
  private void background(RoutingContext ctx) {
    int ms = ctx.get("ms");
    long start = System.nanoTime();
    JsonArray timeline = new JsonArray();
    Future<JsonObject> task1 = step(timeline, start, "task 1: upstream call of " + ms + " ms", () -> upstream.fetchPost(1, ms, false));
    Future<JsonObject> task2 = step(timeline, start, "other work: a timer of " + ms / 2 + " ms", () -> sleep(ms / 2))
      .compose(done -> step(timeline, start, "task 2: upstream call of " + ms + " ms", () -> upstream.fetchPost(2, ms, false)));
    Future.all(task1, task2)
      .onSuccess(both -> json(ctx, new JsonObject().put("ms", ms).put("elapsedMs", msSince(start))
        .put("sequentialMs", ms + ms / 2 + ms).put("timeline", timeline)))
      .onFailure(ctx::fail);
  }

  private Future<JsonObject> sleep(int ms) {
    return (ms == 0 ? Future.<Void>succeededFuture() : vertx.timer(ms)).map(new JsonObject());
  }

  /** Runs one step and records its start and end, in ms from the request's start. */
  private static <T> Future<T> step(JsonArray timeline, long requestStart, String name, Supplier<Future<T>> work) {
    JsonObject entry = new JsonObject().put("step", name).put("startMs", msSince(requestStart));
    timeline.add(entry);
    return work.get().andThen(done -> entry.put("endMs", msSince(requestStart)));
  }

  static JsonArray outcomesJson(List<? extends Outcome<?>> outcomes) {
    return new JsonArray(outcomes.stream().map(ConcurrencyRoutes::outcomeJson).toList());
  }

  static JsonObject outcomeJson(Outcome<?> outcome) {
    JsonObject json = new JsonObject().put("index", outcome.index()).put("ok", outcome.ok());
    if (outcome.ok()) {
      json.put("value", outcome.value());
    } else {
      json.put("error", describe(outcome.error())).put("cancelled", outcome.cancelled());
    }
    return json.put("ms", outcome.ms());
  }

  private static String describe(Throwable error) {
    if (error instanceof Failure failure) {
      return failure.detail();
    }
    if (error instanceof ProblemException problem) {
      return problem.problem().detail();
    }
    if (error instanceof CancelledException) {
      return "cancelled: " + error.getMessage();
    }
    return "failed";
  }

  /** The one place fan-out failures become problems: a failed call 502, a passed deadline 504. */
  static Throwable problemFor(Throwable failure, long elapsedMs) {
    if (!(failure instanceof FanOutException fanOut)) {
      return failure;
    }
    JsonArray calls = outcomesJson(fanOut.outcomes());
    Problem problem = switch (fanOut.kind()) {
      case CALL_FAILED -> Problem.of(502, "call-failed", "A call failed",
          "Call " + fanOut.failedIndex() + " failed: " + describe(fanOut.getCause()))
        .with("failedIndex", fanOut.failedIndex()).with("cancelled", new JsonArray(fanOut.cancelled()))
        .with("unfinished", new JsonArray(fanOut.unfinished()));
      case ALL_FAILED -> Problem.of(502, "all-calls-failed", "Every call failed", "All " + calls.size() + " calls failed");
      case DEADLINE_EXCEEDED -> Problem.of(504, "deadline-exceeded", "Deadline exceeded",
          "The deadline passed; calls " + fanOut.unfinished() + " were unfinished and have been cancelled")
        .with("unfinished", new JsonArray(fanOut.unfinished()));
    };
    return problem.with("elapsedMs", elapsedMs).with("calls", calls).toException();
  }
}
