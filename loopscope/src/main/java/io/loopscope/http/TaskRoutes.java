package io.loopscope.http;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.cpu.CpuPool;
import io.loopscope.db.TaskRepository;
import io.loopscope.overload.BodyBudget;
import io.loopscope.tasks.TaskRunner;
import io.loopscope.tasks.TaskSpec;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.List;
import java.util.Optional;

import static io.loopscope.http.Responses.json;
import static io.loopscope.http.Validation.params;

/** Durable background tasks: {@code POST /tasks} queues one (202), {@code GET /tasks/{id}} and {@code GET /tasks} read them. */
public final class TaskRoutes {

  static final List<String> STATES = List.of("queued", "running", "done", "failed");
  static final int MAX_PAGE = 100;
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String IDEMPOTENT_REPLAYED = "Idempotent-Replayed";
  static final int MAX_IDEMPOTENCY_KEY = 255;

  private final Vertx vertx;
  private final LoopscopeConfig config;
  private final TaskRepository tasks;
  private final TaskSpec.Limits limits;
  private final BodyLimit bodyLimit;
  private final CpuPool cpuPool;

  TaskRoutes(Vertx vertx, LoopscopeConfig config, TaskRepository tasks, BodyLimit bodyLimit, CpuPool cpuPool) {
    this.vertx = vertx;
    this.config = config;
    this.tasks = tasks;
    this.bodyLimit = bodyLimit;
    this.cpuPool = cpuPool;
    this.limits = new TaskSpec.Limits(config.cpu().maxItems(), config.concurrency().maxFanOut(),
      config.demo().maxDelayMs(), config.upstream().latencyMs());
  }

  public void mount(Router router) {
    // the IETF httpapi draft's Idempotency-Key, with Stripe's semantics (see TaskRepository.submit)
    router.post("/tasks")
      .handler(params().headerOptionalToken(IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY))
      .handler(bodyLimit)
      .handler(this::submitTask);
    router.get("/tasks/:id").handler(params().pathLong("id", 1, Long.MAX_VALUE)).handler(this::getTask);
    router.get("/tasks")
      .handler(params().queryEnum("state", STATES, "").queryInt("limit", 1, MAX_PAGE, 20)
        .queryLong("before", 1, Long.MAX_VALUE, Long.MAX_VALUE))
      .handler(this::listTasks);
  }

  /** The body is parsed on the cpu pool: a megabyte of numbers takes long enough to stall a loop under load. */
  private void submitTask(RoutingContext ctx) {
    BodyLimit.Body body = BodyLimit.body(ctx);
    BodyBudget.Reservation held = body.reservation().retain();
    cpuPool.submit(() -> TaskSpec.parse(body.content().stream(), body.content().length(), limits))
      .andThen(done -> held.release())
      .compose(spec -> queue(spec, ctx.get(IDEMPOTENCY_KEY)))
      .onSuccess(submitted -> accepted(ctx, submitted))
      .onFailure(ctx::fail);
  }

  private Future<TaskRepository.Submitted> queue(TaskSpec spec, String idempotencyKey) {
    int maxQueued = config.tasks().maxQueued();
    return tasks.submit(spec.kind(), spec.input(), maxQueued, idempotencyKey)
      .compose(queued -> queued.map(Future::succeededFuture).orElseGet(() -> Future.failedFuture(
        Problem.saturated(maxQueued + " tasks are already waiting (tasks.maxQueued)", 1).toException())));
  }

  /** 202 either way; a replay says so (Stripe's Idempotent-Replayed) and wakes no runner. */
  private void accepted(RoutingContext ctx, TaskRepository.Submitted submitted) {
    long id = submitted.task().getLong("id");
    if (submitted.replayed()) {
      ctx.response().putHeader(IDEMPOTENT_REPLAYED, "true");
    } else {
      vertx.eventBus().publish(TaskRunner.QUEUED_ADDRESS, id);
    }
    ctx.response().putHeader(HttpHeaders.LOCATION, "/tasks/" + id);
    json(ctx, 202, submitted.task().toBuffer());
  }

  private void getTask(RoutingContext ctx) {
    long id = ctx.get("id");
    tasks.find(id)
      .compose(found -> found.map(Future::succeededFuture)
        .orElseGet(() -> Future.failedFuture(Problem.notFound("No task " + id).toException())))
      .onSuccess(task -> json(ctx, task))
      .onFailure(ctx::fail);
  }

  /** Newest first; {@code next} is the link to the following page, null on the last one. */
  private void listTasks(RoutingContext ctx) {
    String state = ctx.get("state");
    int limit = ctx.get("limit");
    long before = ctx.get("before");
    tasks.list(state, before, limit + 1)
      .onSuccess(page -> json(ctx, new JsonObject()
        .put("tasks", new JsonArray(page.getList().subList(0, Math.min(limit, page.size()))))
        .put("next", nextPage(page, state, limit).orElse(null))))
      .onFailure(ctx::fail);
  }

  private static Optional<String> nextPage(JsonArray page, String state, int limit) {
    if (page.size() <= limit) {
      return Optional.empty();
    }
    long lastShown = page.getJsonObject(limit - 1).getLong("id");
    return Optional.of("/tasks?limit=" + limit + "&before=" + lastShown + (state.isEmpty() ? "" : "&state=" + state));
  }
}
