package io.loopscope.app;

import io.loopscope.config.CountedAsyncAppender;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.config.NodeRole;
import io.loopscope.core.IsolatedVertx;
import io.loopscope.http.ApiDependencies;
import io.loopscope.http.Health;

import io.loopscope.upstream.UpstreamUrl;
import io.loopscope.blocking.LegacyUserVerticle;
import io.loopscope.cpu.CpuPool;
import io.loopscope.concurrency.Elapsed;
import io.loopscope.db.Database;
import io.loopscope.diagnostics.FleetWatch;
import io.loopscope.diagnostics.LoopWatchSettings;
import io.loopscope.loopwatch.LoopWatch;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.loopscope.http.AdminVerticle;
import io.loopscope.http.AccessLog;
import io.loopscope.http.ApiVerticle;
import io.loopscope.overload.ConnectionLimit;
import io.loopscope.overload.BodyBudget;
import io.loopscope.overload.HeapPressure;
import io.loopscope.overload.OverloadMetrics;
import io.loopscope.http.Problems;
import io.loopscope.tasks.TaskRunner;
import io.loopscope.upstream.BlockingUpstreamClient;
import io.loopscope.upstream.UpstreamClient;
import io.loopscope.upstream.UpstreamSimulator;
import io.loopscope.vthreads.VirtualThreads;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Deploys everything in order and owns shutdown: the admin server (on a Vert.x instance of its own),
 * the database (embedded server and migrations off the event loop) with its legacy JDBC workers, the
 * upstream simulator (on its own Vert.x too), the CPU pool, the virtual-thread verticles (Java 21+), one
 * {@link ApiVerticle} per event loop, then
 * the task runner. Readiness turns UP only once all of it runs.
 */
public final class MainVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(MainVerticle.class);
  private static final long HEAP_RECHECK_MS = 1_000;

  private final List<ApiVerticle> apiVerticles = new CopyOnWriteArrayList<>();
  private final PrometheusMeterRegistry registry;
  private final NodeRole role;
  private volatile boolean ready;
  private final LoopscopeConfig config;
  private Vertx adminVertx;
  private AdminVerticle admin;
  private Health health;
  private UpstreamSimulator simulator;
  private CpuPool cpuPool;
  private Database database;
  private LoopWatch loopWatch;
  private BodyBudget bodyBudget;
  private HeapPressure heapPressure;
  private ConnectionLimit apiConnections;
  private FleetWatch fleet;
  private AccessLog accessLog;

  /**
   * Every verticle it deploys gets its typed config through its constructor, as this one does: nobody parses
   * {@code config()} again.
   *
   * @param registry where Vert.x's metrics go and /metrics reads from; null when metrics are off
   * @param role API: the whole service; WORKER: only the legacy workers (and admin), on the cluster
   */
  public MainVerticle(LoopscopeConfig config, PrometheusMeterRegistry registry, NodeRole role) {
    this.config = config;
    this.registry = registry;
    this.role = role;
  }

  @Override
  public Future<?> start() {
    startOverloadGuards();
    return startLoopWatch()
      .compose(v -> startFleetWatch())
      .compose(v -> startAdmin())
      .compose(v -> role == NodeRole.WORKER ? startWorker() : startApi())
      .recover(failure -> stopAll().transform(stopped -> Future.failedFuture(failure)));
  }

  private Future<Void> startApi() {
    return startDatabaseAndUpstream()
      .compose(this::deployApi)
      .compose(this::openDatabasePool)
      .compose(this::deployTaskRunner)
      .onSuccess(v -> {
        ready = true;
        LOG.info("loopscope ready: API on port {} ({} event loops, {}), admin on port {}, upstream {}{}",
          apiPort(), apiVerticles.size(), transport(), adminPort(), upstreamBaseUrl(), clusterNote());
      })
      .mapEmpty();
  }

  /** A worker node: its legacy JDBC workers answer legacy.users.get for every API node of the cluster. */
  private Future<Void> startWorker() {
    return Database.start(vertx, config.db())
      .onSuccess(started -> database = started)
      .compose(this::attachDatabase)
      .onSuccess(v -> {
        ready = true;
        LOG.info("loopscope worker ready: {} legacy workers, admin on port {}{}", config.legacy().instances(),
          adminPort(), clusterNote());
      });
  }

  private String clusterNote() {
    return config.cluster().enabled() ? ", node " + config.cluster().node() + " in the cluster" : "";
  }

  @Override
  public Future<?> stop() {
    return stopAll();
  }

  /** The body budget and the heap's high-water mark, shared by every API loop, shown by readiness and /metrics. */
  private void startOverloadGuards() {
    bodyBudget = new BodyBudget(config.http().effectiveBodyBudgetBytes());
    heapPressure = new HeapPressure(config.http().shedHeapPercent());
    LOG.info("Body budget {} bytes (http.bodyBudgetBytes; max heap {} bytes); bodies get 503 while the old generation "
        + "stays above {} % of the max heap after a GC (http.shedHeapPercent)", bodyBudget.limitBytes(),
      Runtime.getRuntime().maxMemory(), config.http().shedHeapPercent());
    if (bodyBudget.limitBytes() < config.http().maxBodyBytes()) {
      LOG.warn("The body budget is smaller than http.maxBodyBytes: the largest bodies will always get 503");
    }
    apiConnections = new ConnectionLimit(config.http().connections().maxConnections());
    OverloadMetrics.register(registry, bodyBudget, heapPressure, apiConnections);
    CountedAsyncAppender.register(registry);
    accessLog = config.log().access() ? AccessLog.start(registry) : null;
    vertx.setPeriodic(HEAP_RECHECK_MS, id -> {
      if (heapPressure.recheck()) {
        vertx.executeBlocking(() -> {
          System.gc();
          return null;
        });
      }
    });
  }

  /** First, so that it sees every stall from the start (diagnostics.enabled=false leaves Vert.x's stock checker). */
  private Future<Void> startLoopWatch() {
    if (!config.diagnostics().enabled()) {
      return Future.succeededFuture();
    }
    LoopWatch watch = new LoopWatch(registry, LoopWatchSettings.of(config));
    return vertx.deployVerticle(watch)
      .onSuccess(deployed -> loopWatch = watch)
      .mapEmpty();
  }

  /** On the cluster only: every node's stalls travel on the event bus (off the cluster, it answers for this node). */
  private Future<Void> startFleetWatch() {
    if (loopWatch == null) {
      return Future.succeededFuture();
    }
    fleet = new FleetWatch(config.cluster().node(), role.label(), loopWatch, config.diagnostics().maxReports());
    return config.cluster().enabled() ? vertx.deployVerticle(fleet).mapEmpty() : Future.succeededFuture();
  }

  /** The admin server gets its own single-loop Vert.x: probes and diagnostics must answer while every API loop is blocked. */
  private Future<Void> startAdmin() {
    return IsolatedVertx.create("admin", new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(2))
      .compose(this::deployAdmin);
  }

  private Future<Void> deployAdmin(Vertx isolated) {
    adminVertx = isolated;
    health = new Health(adminVertx);
    health.readiness().register("api", promise -> promise.complete(ready ? Status.OK() : Status.KO()));
    health.liveness().register("process", Promise::succeed);
    health.readiness().register("heap", promise -> promise.complete(heapPressure.overloaded()
      ? Status.KO(new JsonObject().put("reason", "overloaded")) : Status.OK()));
    if (loopWatch != null) {
      // answered on the admin instance from what the watched loops wrote: a stalled loop cannot hide
      health.readiness().register("event-loops", promise -> promise.complete(loopWatch.readiness()));
      health.liveness().register("event-loops", promise -> promise.complete(loopWatch.liveness()));
    }
    admin = new AdminVerticle(config, health, registry, loopWatch, fleet, this::apiPort, this::overload);
    return adminVertx.deployVerticle(admin).mapEmpty();
  }

  /** The two slowest steps are independent: both at once (a failure still waits for the other, so stop finds it). */
  private Future<String> startDatabaseAndUpstream() {
    Future<Database> databaseStarted = Database.start(vertx, config.db()).onSuccess(started -> database = started);
    Future<String> upstreamStarted = startUpstream();
    return Future.join(databaseStarted, upstreamStarted)
      .compose(both -> attachDatabase(databaseStarted.result()))
      .map(attached -> upstreamStarted.result());
  }

  /** Readiness now also asks the database; the legacy JDBC workers connect to it (none here with legacy.instances=0). */
  private Future<Void> attachDatabase(Database started) {
    health.readiness().register("db", config.db().timeoutMs(), started::checkHealth);
    if (config.legacy().instances() == 0) {
      return Future.succeededFuture();
    }
    return LegacyUserVerticle.deploy(vertx, started.target(), config.legacy().instances(),
      config.db().timeoutMs(), config.legacy().timeoutMs(), config.cluster().node()).mapEmpty();
  }

  private Future<String> startUpstream() {
    if (!config.upstream().simulated()) {
      return Future.succeededFuture(config.upstream().baseUrl());
    }
    return UpstreamSimulator.launch(config.upstream())
      .onSuccess(started -> simulator = started)
      .map(UpstreamSimulator::baseUrl);
  }

  private Future<String> deployApi(String upstreamBaseUrl) {
    cpuPool = new CpuPool(vertx, config.cpu().poolSize(), config.cpu().maxQueued(),
      config.diagnostics().workerBlockThresholdMs());
    // slow first steps off the event loops, where LoopWatch caught them: the JDK client loads the TLS
    // trust store as it is built (300 ms), the routers' classes initialise Jackson (200 ms)
    return vertx.executeBlocking(() -> {
        ApiVerticle.initialiseClasses();
        return new BlockingUpstreamClient(UpstreamUrl.parse(upstreamBaseUrl), config.upstream().timeoutMs());
      })
      .compose(blockingUpstream -> VirtualThreads.deploy(vertx, config.virtualThreads().instances())
        .compose(virtualThreads -> deployApi(new ApiDependencies(cpuPool, blockingUpstream, upstreamBaseUrl, database, loopWatch,
          virtualThreads, bodyBudget, heapPressure, apiConnections, accessLog))))
      .map(upstreamBaseUrl);
  }

  private Future<String> deployApi(ApiDependencies dependencies) {
    int instances = config.http().instances() > 0 ? config.http().instances() : eventLoopCount(config);
    return vertx.deployVerticle(() -> {
        ApiVerticle api = new ApiVerticle(config, dependencies);
        apiVerticles.add(api);
        return api;
      }, new DeploymentOptions().setInstances(instances));
  }

  /** The whole pool, open before the first request, spread over the API loops (see Database#open). */
  private Future<String> openDatabasePool(String upstreamBaseUrl) {
    long start = System.nanoTime();
    return database.open(apiVerticles.stream().map(ApiVerticle::eventLoop).toList())
      .onSuccess(opened -> LOG.info("Database pool: {} of {} connections (db.poolSize) open over {} API verticles in {} ms",
        opened, database.poolSize(), apiVerticles.size(), Elapsed.msSince(start)))
      .map(upstreamBaseUrl);
  }

  private Future<String> deployTaskRunner(String upstreamBaseUrl) {
    return vertx.deployVerticle(new TaskRunner(config, database, cpuPool, upstreamBaseUrl, Problems::bodyOf));
  }

  /** The API's socket transport: "epoll" (the jar carries it for linux x86_64), or "nio" and why not epoll. */
  private String transport() {
    if (vertx.isNativeTransportEnabled()) {
      return "epoll";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    if (!config.vertx().nativeTransport() || cause == null) {
      return "nio";
    }
    // Netty wraps the reason (no library for this platform, no writable directory to unpack it) in its own errors
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    return "nio: epoll unavailable here (" + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
  }

  /** The number of event loops the main Vert.x instance has. */
  public static int eventLoopCount(LoopscopeConfig config) {
    return config.vertx().eventLoops() > 0 ? config.vertx().eventLoops() : VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
  }

  /** Child verticles (API, legacy workers, task runner) are undeployed before this runs, so the pool is idle. */
  private Future<Void> stopAll() {
    ready = false;
    if (heapPressure != null) {
      heapPressure.close();
    }
    Future<Void> simulatorStopped = simulator == null ? Future.succeededFuture() : simulator.shutdown();
    Future<Void> adminStopped = adminVertx == null ? Future.succeededFuture() : adminVertx.close();
    Future<Void> databaseStopped = database == null ? Future.succeededFuture() : database.close(vertx);
    // the API instances handed over their last lines as they stopped; the writer writes them, off the loop
    Future<Void> accessLogWritten = accessLog == null ? Future.succeededFuture()
      : vertx.executeBlocking(() -> {
        accessLog.close();
        return null;
      });
    return Future.join(simulatorStopped, adminStopped, databaseStopped, accessLogWritten).mapEmpty();
  }

  /** Graceful shutdown's first step, at the signal: readiness DOWN, and keep-alive clients are asked to reconnect elsewhere. */
  public void beginShutdown() {
    health.beginShutdown();
    apiVerticles.forEach(ApiVerticle::closeConnectionsAfterResponses);
  }

  /**
   * Graceful shutdown's middle step: the API servers stop accepting and their in-flight requests finish
   * (at most {@code timeoutMs}). Everything else closes afterwards through {@link #stop()} as Vert.x closes.
   */
  public Future<Void> drain(long timeoutMs) {
    return Future.join(apiVerticles.stream().map(api -> api.drain(timeoutMs)).toList()).mapEmpty();
  }

  /** The body budget and shedding now: what /diagnostics/overload and the dashboard show. */
  JsonObject overload() {
    return new JsonObject().put("bodyBudgetBytes", bodyBudget.limitBytes()).put("bodyBytesInUse", bodyBudget.inUseBytes())
      .put("overloaded", heapPressure.overloaded())
      .put("shed", new JsonObject().put("bodyBudget", bodyBudget.refused()).put("heap", heapPressure.shed()));
  }

  /** The admin server's verticle (the contract test reads its routes). */
  public AdminVerticle admin() {
    return admin;
  }

  /** LoopWatch, or null when diagnostics are off. */
  public LoopWatch loopWatch() {
    return loopWatch;
  }

  public boolean ready() {
    return ready;
  }

  public Health health() {
    return health;
  }

  public List<ApiVerticle> apiVerticles() {
    return List.copyOf(apiVerticles);
  }

  /** The database, once started (tests stop and start its embedded server). */
  public Database database() {
    return database;
  }

  public int apiPort() {
    return apiVerticles.isEmpty() ? -1 : apiVerticles.get(0).port();
  }

  public int adminPort() {
    return admin == null ? -1 : admin.port();
  }

  public String upstreamBaseUrl() {
    return simulator != null ? simulator.baseUrl() : config.upstream().baseUrl();
  }
}
