package demo.slowapp;

import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.loopwatch.LoopWatchOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.ext.web.Router;

/** {@link SlowApp} adopting LoopWatch in code: one dependency, and one line instead of {@code Vertx.vertx()}. */
public final class SlowAppWithLoopWatch {

  private SlowAppWithLoopWatch() {
  }

  public static void main(String[] args) {
    Vertx vertx = LoopWatch.vertx(new VertxOptions(), new LoopWatchOptions().addApplicationPackage("demo."));
    SlowApp.serve(vertx, Router.router(vertx));
  }
}
