package io.loopscope.cli;

import io.loopscope.bench.BaselineServer;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/** {@code loopscope baseline}: the bare Vert.x server that perf/ compares loopscope against. */
@Command(name = "baseline", mixinStandardHelpOptions = true,
  description = "Run a bare Vert.x HttpServer (GET /test/async?ms=N; no router, metrics or diagnostics) for side-by-side benchmarks.")
public final class BaselineCommand implements Callable<Integer> {

  @Option(names = "--host", defaultValue = "127.0.0.1", description = "Address to bind (default: ${DEFAULT-VALUE})")
  String host;

  @Option(names = "--port", defaultValue = "8090", description = "Port (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--instances", defaultValue = "0", description = "Server verticle instances; 0 = one per event loop (default)")
  int instances;

  @Option(names = "--native-transport", negatable = true, defaultValue = "false",
    description = "Linux epoll where it loads, as the service's vertx.nativeTransport: true (default: ${DEFAULT-VALUE})")
  boolean nativeTransport;

  @Override
  public Integer call() throws InterruptedException {
    VertxOptions options = new VertxOptions().setPreferNativeTransport(nativeTransport);
    int count = instances > 0 ? instances : options.getEventLoopPoolSize();
    Vertx vertx = Vertx.vertx(options);
    List<BaselineServer> servers = new CopyOnWriteArrayList<>();
    vertx.deployVerticle(() -> {
      BaselineServer server = new BaselineServer(host, port);
      servers.add(server);
      return server;
    }, new DeploymentOptions().setInstances(count)).await();
    System.out.println("baseline listening on " + host + ":" + servers.get(0).actualPort() + " (" + count + " instances, "
      + (vertx.isNativeTransportEnabled() ? "epoll" : "nio") + ")");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      vertx.close().onComplete(done -> stopped.countDown());
      try {
        stopped.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    stopped.await();
    return 0;
  }
}
