package io.loopscope.bench;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.codec.BodyCodec;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One target loaded once with one {@link LoadSettings}: the connections are spread over
 * {@code eventLoops} {@link LoadVerticle}s, whose tallies are merged at the end.
 */
final class LoadRun {

  private final Vertx vertx;
  private final WebClient client;
  private final Endpoint target;
  private final LoadSettings settings;
  private final List<LoadVerticle> loops = new CopyOnWriteArrayList<>();
  private Schedule schedule;
  private long startNanos;
  private Instant startedAt;

  LoadRun(Vertx vertx, WebClient client, Endpoint target, LoadSettings settings) {
    this.vertx = vertx;
    this.client = client;
    this.target = target;
    this.settings = settings;
  }

  /** Runs to the end of the schedule (or {@link #stop()}) and answers what was measured. */
  Future<EndpointResult> run() {
    startedAt = Instant.now();
    startNanos = System.nanoTime();
    schedule = Schedule.of(settings, startNanos);
    int instances = Math.max(1, Math.min(settings.eventLoops(), settings.concurrency()));
    AtomicInteger index = new AtomicInteger();
    return vertx.deployVerticle(() -> newLoop(index.getAndIncrement(), instances), new DeploymentOptions().setInstances(instances))
      .compose(id -> Future.all(loops.stream().map(LoadVerticle::finished).toList())
        .compose(all -> result(all.<Long>list().stream().mapToLong(Long::longValue).max().orElse(startNanos)))
        .eventually(() -> vertx.undeploy(id)));
  }

  /** No new requests; the run ends when those in flight are answered or time out. */
  void stop() {
    if (schedule != null) {
      schedule.stop();
    }
  }

  /** Answers so far, from any thread. */
  long completed() {
    return loops.stream().mapToLong(LoadVerticle::completed).sum();
  }

  long startNanos() {
    return startNanos;
  }

  /** What was measured until now, for a run cut short whose last requests may never be answered. */
  Future<EndpointResult> resultSoFar() {
    return result(System.nanoTime());
  }

  private LoadVerticle newLoop(int i, int instances) {
    int connections = settings.concurrency() / instances + (i < settings.concurrency() % instances ? 1 : 0);
    LoadVerticle loop = new LoadVerticle(request(), settings.body(), schedule, connections);
    loops.add(loop);
    return loop;
  }

  private HttpRequest<Void> request() {
    return client.request(settings.method(), target.requestUri())
      .putHeaders(settings.headers())
      .timeout(settings.timeout().toMillis())
      .as(BodyCodec.none());
  }

  private Future<EndpointResult> result(long endNanos) {
    return Future.all(loops.stream().map(LoadVerticle::snapshot).toList()).map(all -> {
      Tally total = new Tally();
      all.<Tally>list().forEach(total::add);
      long requested = switch (settings.mode()) {
        case BURST -> settings.requests();
        case OPEN_LOOP -> settings.scheduledRequests();
        case CLOSED_LOOP -> total.completed();
      };
      return new EndpointResult(target, settings.mode(), startedAt, endNanos - startNanos, requested, total.completed(),
        total.succeeded(), total.errors(), total.latencyMicros(), schedule.stopped());
    });
  }
}
