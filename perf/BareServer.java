import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;

/**
 * {@code java -cp target/loopscope.jar perf/BareServer.java PORT}: the peer loopscope is held against from
 * outside. A bare Vert.x 5 {@code HttpServer}, one instance per event loop, and nothing of loopscope's: no router,
 * no metrics, no LoopWatch, no config, no database. It answers {@code GET /test/async?ms=N} as loopscope does,
 * building its {@code JsonObject} per request and encoding it (no pre-encoded body), after a timer when N > 0.
 * Its sockets use Java NIO, as loopscope's defaults do; {@code -Dbare.nativeTransport=true} puts them on Linux epoll,
 * as {@code vertx.nativeTransport: true} does loopscope's, so that a pair always compares the same transport.
 */
public class BareServer extends VerticleBase {

  private final int port;

  BareServer(int port) {
    this.port = port;
  }

  public static void main(String[] args) {
    int port = Integer.parseInt(args[0]);
    boolean nativeTransport = Boolean.getBoolean("bare.nativeTransport");
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(nativeTransport));
    int loops = VertxOptions.DEFAULT_EVENT_LOOP_POOL_SIZE;
    String transport = vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    vertx.deployVerticle(() -> new BareServer(port), new DeploymentOptions().setInstances(loops))
      .onSuccess(id -> System.out.println("bare Vert.x HttpServer on 127.0.0.1:" + port + ", " + loops + " instances, "
        + transport))
      .onFailure(failure -> {
        failure.printStackTrace();
        System.exit(1);
      });
  }

  @Override
  public Future<?> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1");
  }

  private void handle(HttpServerRequest request) {
    if (!"/test/async".equals(request.path())) {
      request.response().setStatusCode(404).end();
      return;
    }
    int ms;
    try {
      String text = request.getParam("ms");
      ms = text == null ? 100 : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      request.response().setStatusCode(400).end();
      return;
    }
    long start = System.nanoTime();
    if (ms <= 0) {
      answer(request, start);
    } else {
      vertx.setTimer(ms, id -> answer(request, start));
    }
  }

  private static void answer(HttpServerRequest request, long start) {
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    request.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
      .end(new JsonObject().put("data", "ok").put("waitedMs", waitedMs).toBuffer());
  }
}
