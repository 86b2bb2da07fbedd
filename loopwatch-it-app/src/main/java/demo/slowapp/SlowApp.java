package demo.slowapp;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * An application that knows nothing of LoopWatch: {@code GET /slow?ms=300} blocks its event loop (the bug LoopWatch
 * is there to catch), {@code GET /fast} does not. Prints {@code listening on <port>} once it serves.
 */
public final class SlowApp {

  private SlowApp() {
  }

  public static void main(String[] args) {
    Vertx vertx = Vertx.vertx();
    serve(vertx, Router.router(vertx));
  }

  /** The routes on {@code router}, served on 127.0.0.1 at the port of {@code -Dport} (0: any free one). */
  public static void serve(Vertx vertx, Router router) {
    router.get("/slow").handler(SlowApp::handle);
    router.get("/fast").handler(ctx -> ctx.end("fast"));
    vertx.createHttpServer().requestHandler(router).listen(Integer.getInteger("port", 0), "127.0.0.1")
      .onSuccess(server -> System.out.println("listening on " + server.actualPort()))
      .onFailure(failure -> {
        failure.printStackTrace();
        System.exit(1);
      });
  }

  static void handle(RoutingContext ctx) {
    long ms = Long.parseLong(ctx.request().getParam("ms", "300"));
    try {
      Thread.sleep(ms); // the bug on purpose: a blocking call on the event loop
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    ctx.end("slow " + ms);
  }
}
