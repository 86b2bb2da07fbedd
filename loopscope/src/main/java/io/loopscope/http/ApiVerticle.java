package io.loopscope.http;

import io.loopscope.upstream.UpstreamUrl;
import io.loopscope.core.BuildInfo;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.db.TaskRepository;
import io.loopscope.db.UserRepository;
import io.loopscope.upstream.UpstreamClient;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The public REST API. Deployed once per event loop; every instance listens on the same port and
 * Vert.x spreads the connections over them.
 */
public final class ApiVerticle extends VerticleBase {

  public static final String CONTRACT = "openapi.yaml";
  static final String DOCS_PAGE = "webroot/docs.html";

  private final LoopscopeConfig config;
  private final ApiDependencies dependencies;
  private Router router;
  private ConnectionGuard guard;
  private HttpServer server;
  private UpstreamClient upstream;
  private AccessLog.Lines accessLines;

  public ApiVerticle(LoopscopeConfig config, ApiDependencies dependencies) {
    this.config = config;
    this.dependencies = dependencies;
  }

  /**
   * Initialises the heavy classes the routers need (Jackson's codec above all: 200 ms on a cold JVM)
   * and Netty's buffer pool (its first chunk registers JFR events: 100 ms), so that no event loop pays
   * for them while deploying or serving its first request. Call on a worker thread.
   */
  public static void initialiseClasses() {
    new JsonObject().put("warm", true).toBuffer();
    ByteBufAllocator.DEFAULT.ioBuffer(1024).release();
    for (Class<?> routes : List.of(ArticleRoutes.class, ConcurrencyRoutes.class, UserRoutes.class, LegacyRoutes.class,
      TaskRoutes.class, VirtualThreadRoutes.class, ApiDocsRoutes.class, Problems.class, Validation.class, RequestIdHandler.class,
      RequestStart.class)) {
      try {
        Class.forName(routes.getName(), true, routes.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  @Override
  public Future<?> start() {
    upstream = new UpstreamClient(vertx, UpstreamUrl.parse(dependencies.upstreamBaseUrl()),
      config.upstream().timeoutMs(), config.upstream().maxConnections());
    Future<Buffer> contract = vertx.fileSystem().readFile(CONTRACT);
    Future<Buffer> docsPage = vertx.fileSystem().readFile(DOCS_PAGE);
    return Future.all(contract, docsPage)
      .compose(read -> listen(config, router(config, contract.result(), docsPage.result())));
  }

  private Router router(LoopscopeConfig config, Buffer contract, Buffer docsPage) {
    router = Router.router(vertx);
    guard = new ConnectionGuard(vertx, config.http().connections(), dependencies.apiConnections());
    accessLines = dependencies.accessLog() == null ? null : dependencies.accessLog().lines(vertx);
    router.route().handler(new RequestStart(dependencies.loopWatch(), guard, new RequestIdHandler(accessLines)));
    new ArticleRoutes(vertx, config, dependencies.cpuPool(), upstream, dependencies.blockingUpstream(),
      bodyLimit(dependencies, config.http().maxBodyBytes(), "http.maxBodyBytes")).mount(router);
    new ConcurrencyRoutes(vertx, config, upstream).mount(router);
    UserRoutes users = new UserRoutes(new UserRepository(dependencies.database()));
    users.mount(router);
    new VirtualThreadRoutes(vertx, config, dependencies.virtualThreads(), dependencies.loopWatch(), upstream,
      dependencies.blockingUpstream(), users).mount(router);
    new LegacyRoutes(vertx, config).mount(router);
    new TaskRoutes(vertx, config, new TaskRepository(dependencies.database()),
      bodyLimit(dependencies, config.tasks().maxBodyBytes(), "tasks.maxBodyBytes"), dependencies.cpuPool()).mount(router);
    new ApiDocsRoutes(contract, docsPage, BuildInfo.swaggerUiRoot()).mount(router, "/" + CONTRACT);
    Problems.install(router);
    return router;
  }

  private static BodyLimit bodyLimit(ApiDependencies dependencies, long maxBytes, String limitKey) {
    return new BodyLimit(dependencies.bodyBudget(), dependencies.heapPressure(), maxBytes, limitKey);
  }

  private Future<HttpServer> listen(LoopscopeConfig config, Router router) {
    String host = config.http().host();
    int port = config.http().port();
    // port 0 would give every instance a different port; -1 asks Vert.x for one random port they share
    int bindPort = port == 0 ? -1 : port;
    return HttpListener.listen(vertx, router, guard, "http.port", host, port, bindPort)
      .onSuccess(listening -> server = listening);
  }

  /** The context this instance serves on: its event loop. */
  public Context eventLoop() {
    return context;
  }

  /** The routes this instance serves (the contract test compares them with openapi.yaml). */
  public Router router() {
    return router;
  }

  public int port() {
    return server == null ? -1 : server.actualPort();
  }

  /** From now on, responses ask clients to close their connections (the service is stopping). */
  public void closeConnectionsAfterResponses() {
    if (guard != null) {
      guard.startDraining();
    }
  }

  /** Stops accepting connections; each open one closes after its in-flight response, or is cut after {@code timeoutMs}. */
  public Future<Void> drain(long timeoutMs) {
    closeConnectionsAfterResponses();
    return server == null ? Future.succeededFuture() : server.shutdown(timeoutMs, TimeUnit.MILLISECONDS);
  }

  @Override
  public Future<?> stop() {
    if (upstream != null) {
      upstream.close();
    }
    if (accessLines != null) {
      accessLines.close();
    }
    return Future.succeededFuture();
  }
}
