package io.loopscope.core;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;

import java.util.concurrent.CompletableFuture;

/**
 * A second Vert.x instance with threads of its own, for servers that must keep answering while the
 * main event loops are blocked (admin probes) or that the main loops call blockingly (the upstream
 * simulator). It is built on a plain thread, since Vert.x warns about instances made on its own threads;
 * the result comes back on the caller's context.
 */
public final class IsolatedVertx {

  private IsolatedVertx() {
  }

  public static Future<Vertx> create(String name, VertxOptions options) {
    CompletableFuture<Vertx> created = CompletableFuture.supplyAsync(() -> Vertx.vertx(options),
      task -> new Thread(task, name + "-bootstrap").start());
    return Future.fromCompletionStage(created, Vertx.currentContext());
  }
}
