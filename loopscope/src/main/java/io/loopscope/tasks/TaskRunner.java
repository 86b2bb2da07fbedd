package io.loopscope.tasks;

import io.loopscope.upstream.UpstreamUrl;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.cpu.CpuPool;
import io.loopscope.cpu.SortJob;
import io.loopscope.db.Database;
import io.loopscope.db.TaskRepository;
import io.loopscope.db.TaskRepository.Claimed;
import io.loopscope.upstream.UpstreamClient;
import io.loopscope.concurrency.FanOut;
import io.loopscope.concurrency.FanOutException;
import io.loopscope.concurrency.Work;
import io.loopscope.failures.DatabaseUnavailable;
import io.loopscope.failures.Failure;
import io.loopscope.failures.Saturated;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.IntStream;

/**
 * The article's {@code create_task}, made durable: runs the tasks stored in PostgreSQL, at most
 * {@code tasks.concurrency} at once. It claims work when told a task was queued ({@value #QUEUED_ADDRESS}),
 * when a task ends, and every second (tasks of other processes, expired leases, a database back from an
 * outage). A claimed task holds a lease it renews while it runs; on a graceful stop its tasks go back to
 * the queue, and after a crash the lease runs out: either way the next start runs them.
 */
public final class TaskRunner extends VerticleBase {

  public static final String QUEUED_ADDRESS = "tasks.queued";
  private static final long POLL_MS = 1_000;
  private static final Logger LOG = LoggerFactory.getLogger(TaskRunner.class);

  private final LoopscopeConfig config;
  private final Database database;
  private final CpuPool cpuPool;
  private final String upstreamBaseUrl;
  private final Function<Throwable, JsonObject> errorBody;
  /** This process's attempts by task id: the attempt number fences what it writes. */
  private final Map<Long, Claimed> running = new HashMap<>();
  /** Who claims, kept with each claim (claimed_by): which process ran what, when several share a database. */
  private final String runnerId = ProcessHandle.current().pid() + "@" + hostName();
  private TaskRepository tasks;
  private UpstreamClient upstream;
  private int concurrency;
  private int leaseSeconds;
  private int maxItems;
  private boolean claiming;
  private boolean claimAgain;
  private boolean stopping;
  private boolean databaseDown;

  /** @param errorBody how a failed task's error is stored: the same problem body the API would answer with */
  public TaskRunner(LoopscopeConfig config, Database database, CpuPool cpuPool, String upstreamBaseUrl,
                    Function<Throwable, JsonObject> errorBody) {
    this.config = config;
    this.database = database;
    this.cpuPool = cpuPool;
    this.upstreamBaseUrl = upstreamBaseUrl;
    this.errorBody = errorBody;
  }

  @Override
  public Future<?> start() {
    concurrency = config.tasks().concurrency();
    leaseSeconds = config.tasks().leaseSeconds();
    maxItems = config.cpu().maxItems();
    tasks = new TaskRepository(database);
    upstream = new UpstreamClient(vertx, UpstreamUrl.parse(upstreamBaseUrl),
      config.upstream().timeoutMs(), config.upstream().maxConnections());
    vertx.setPeriodic(POLL_MS, id -> claim());
    vertx.setPeriodic(leaseSeconds * 1_000L / 3, id -> renewLeases());
    MessageConsumer<Object> queued = vertx.eventBus().consumer(QUEUED_ADDRESS, message -> claim());
    return queued.completion().onSuccess(v -> claim());
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    upstream.close();
    if (running.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Claimed> unfinished = List.copyOf(running.values());
    List<Long> ids = unfinished.stream().map(Claimed::id).toList();
    return tasks.requeue(unfinished)
      .onSuccess(v -> LOG.info("Stopping: {} running tasks went back to the queue {}", ids.size(), ids))
      .onFailure(failure -> LOG.warn("Stopping: could not requeue tasks {}; they run again when their lease ends ({})",
        ids, failure.getMessage()))
      .otherwiseEmpty();
  }

  /** Claims as many tasks as there are free slots; one claim at a time, and again if asked meanwhile. */
  private void claim() {
    int free = concurrency - running.size();
    if (stopping || free <= 0) {
      return;
    }
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = true;
    tasks.claim(free, leaseSeconds, runnerId)
      .onSuccess(claimed -> {
        databaseBack();
        claimed.forEach(this::run);
      })
      .onFailure(this::databaseDown)
      .onComplete(done -> {
        claiming = false;
        if (claimAgain) {
          claimAgain = false;
          claim();
        }
      });
  }

  private void run(Claimed task) {
    running.put(task.id(), task);
    execute(task)
      .transform(outcome -> record(task, outcome.succeeded() ? outcome.result() : null, outcome.cause()))
      .onComplete(recorded -> {
        running.remove(task.id());
        if (recorded.succeeded() && recorded.result()) {
          claim();
        }
      });
  }

  /** The task's result as JSON text. */
  private Future<String> execute(Claimed task) {
    return switch (task.kind()) {
      case TaskSpec.SORT -> sort(task.input());
      case TaskSpec.FETCH -> fetch(new JsonObject(task.input()));
      default -> Future.failedFuture(new IllegalStateException("unknown task kind " + task.kind()));
    };
  }

  /** The article's cpu_intensive_task on the CPU pool; reading the stored numbers happens there too. */
  private Future<String> sort(String input) {
    return cpuPool.submit(() -> SortJob.run(new JsonObject(input).getJsonArray("data").toBuffer(), maxItems).body().toString());
  }

  private Future<String> fetch(JsonObject input) {
    return gatherPosts(input.getInteger("n"), input.getInteger("ms"), input.getBoolean("fail"))
      .map(posts -> new JsonObject().put("count", posts.size()).put("posts", new JsonArray(posts)).encode());
  }

  /** The fan-out: posts 1..n from the upstream at once; the first failure fails the task (asyncio.gather). */
  private Future<List<JsonObject>> gatherPosts(int n, int ms, boolean fail) {
    List<Work<JsonObject>> calls = IntStream.rangeClosed(1, n)
      .<Work<JsonObject>>mapToObj(id -> cancellation -> upstream.fetchPost(id, ms, fail, cancellation)).toList();
    return FanOut.start(calls).all().recover(FanOutException::failedCall);
  }

  /**
   * Stores the outcome. A task that failed only because a bounded pool was full goes back to the queue
   * instead, and the next claim waits for the poll rather than spinning on the full pool.
   *
   * @return whether to claim more work right away
   */
  private Future<Boolean> record(Claimed task, String result, Throwable failure) {
    if (stopping) {
      return Future.succeededFuture(false);
    }
    Future<?> recorded;
    // nothing was done: a full pool or an absent database says so, and the task runs later
    boolean saturated = failure instanceof Saturated || failure instanceof DatabaseUnavailable;
    if (failure == null) {
      recorded = tasks.finish(task, "done", result, null).onSuccess(written -> droppedIfTakenOver(task, written));
    } else if (saturated) {
      recorded = tasks.requeue(List.of(task));
    } else {
      recorded = tasks.finish(task, "failed", null, errorOf(task, failure).encode()).onSuccess(written -> droppedIfTakenOver(task, written));
    }
    return recorded.onFailure(this::databaseDown).map(!saturated);
  }

  /** This process stalled past its lease (a long GC pause, a frozen VM) and another attempt owns the task now. */
  private static void droppedIfTakenOver(Claimed task, boolean written) {
    if (!written) {
      LOG.warn("Task {} attempt {}: its lease ran out and another attempt took it over; this attempt's result is dropped",
        task.id(), task.attempt());
    }
  }

  private JsonObject errorOf(Claimed task, Throwable failure) {
    if (!(failure instanceof Failure)) {
      LOG.error("Task {} ({}) failed", task.id(), task.kind(), failure);
    }
    return errorBody.apply(failure);
  }

  private void renewLeases() {
    if (!running.isEmpty()) {
      tasks.renewLeases(List.copyOf(running.values()), leaseSeconds).onFailure(this::databaseDown);
    }
  }

  /** From the environment (a pod's name in Kubernetes): a DNS lookup here would block the event loop. */
  private static String hostName() {
    return System.getenv().getOrDefault("HOSTNAME", "localhost");
  }

  /** Logged once per outage, not once per poll. */
  private void databaseDown(Throwable failure) {
    if (!databaseDown) {
      databaseDown = true;
      LOG.warn("Task runner cannot reach the database; retrying every {} ms ({})", POLL_MS, failure.getMessage());
    }
  }

  private void databaseBack() {
    if (databaseDown) {
      databaseDown = false;
      LOG.info("Task runner reaches the database again");
    }
  }
}
