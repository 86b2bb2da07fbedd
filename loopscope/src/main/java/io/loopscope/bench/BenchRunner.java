package io.loopscope.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Loads targets one after another with the same settings: for each, check that it can be reached,
 * warm up (unrecorded), then measure. One {@link WebClient} per target, keep-alive, pool size = concurrency.
 */
public final class BenchRunner {

  private final Vertx vertx;
  private final LoadSettings settings;
  private final List<EndpointResult> results = new CopyOnWriteArrayList<>();
  private final Promise<List<EndpointResult>> outcome = Promise.promise();
  private volatile Status status;
  private volatile LoadRun current;
  private volatile boolean stopped;

  /** Where a run stands, for progress. {@code planned} is requests (burst) or nanoseconds (duration runs). */
  public record Status(Endpoint target, int index, int count, boolean warmingUp, LoadSettings settings, LoadRun run) {

    public long completed() {
      return run.completed();
    }

    public long elapsedNanos() {
      return System.nanoTime() - run.startNanos();
    }
  }

  public BenchRunner(Vertx vertx, LoadSettings settings) {
    this.vertx = vertx;
    this.settings = settings;
  }

  /** Measures every target in turn; answers the results, or those so far once {@link #stop} was called. */
  public Future<List<EndpointResult>> run(List<Endpoint> targets) {
    Future<Void> chain = ClientWarmup.run(vertx, settings);
    for (int i = 0; i < targets.size(); i++) {
      Endpoint target = targets.get(i);
      int index = i;
      chain = chain.compose(v -> stopped ? Future.succeededFuture() : measureTarget(target, index, targets.size()));
    }
    chain.onSuccess(v -> outcome.tryComplete(List.copyOf(results))).onFailure(outcome::tryFail);
    return outcome.future();
  }

  /**
   * Ctrl-C: no new requests. The run answers once those in flight are done, or after {@code grace}
   * with what was measured until then.
   */
  public void stop(Duration grace) {
    stopped = true;
    LoadRun run = current;
    if (run == null) {
      return;
    }
    run.stop();
    vertx.setTimer(Math.max(1, grace.toMillis()), t -> resultsSoFar(run).onSuccess(outcome::tryComplete).onFailure(outcome::tryFail));
  }

  /** Null before the first target starts. */
  public Status status() {
    return status;
  }

  private Future<List<EndpointResult>> resultsSoFar(LoadRun run) {
    List<EndpointResult> soFar = new ArrayList<>(results);
    if (status == null || status.warmingUp() || results.stream().anyMatch(r -> r.target().equals(status.target()))) {
      return Future.succeededFuture(soFar);
    }
    return run.resultSoFar().map(partial -> {
      soFar.add(partial);
      return soFar;
    });
  }

  private Future<Void> measureTarget(Endpoint target, int index, int count) {
    WebClient client = newClient(vertx, target, settings);
    return checkReachable(target)
      .compose(v -> stopped || settings.warmup().isZero() ? Future.succeededFuture() : runPhase(client, target, index, count, true))
      .compose(v -> stopped ? Future.succeededFuture() : runPhase(client, target, index, count, false))
      .eventually(() -> {
        client.close();
        return Future.succeededFuture();
      });
  }

  private Future<Void> runPhase(WebClient client, Endpoint target, int index, int count, boolean warmup) {
    LoadSettings phase = warmup ? settings.warmupRun() : settings;
    LoadRun run = new LoadRun(vertx, client, target, phase);
    Future<EndpointResult> measured = run.run();
    current = run;
    status = new Status(target, index, count, warmup, phase, run);
    if (stopped) {
      run.stop();
    }
    return measured.map(result -> {
      if (!warmup) {
        results.add(result);
      }
      return null;
    });
  }

  static WebClient newClient(Vertx vertx, Endpoint target, LoadSettings settings) {
    int timeoutMs = (int) Math.min(Integer.MAX_VALUE, settings.timeout().toMillis());
    WebClientOptions options = new WebClientOptions()
      .setDefaultHost(target.host())
      .setDefaultPort(target.port())
      .setSsl(target.ssl())
      .setKeepAlive(true)
      .setConnectTimeout(timeoutMs)
      .setFollowRedirects(false)
      // like wrk, no User-Agent: the smallest request that is still HTTP/1.1 (add one with -H)
      .setUserAgentEnabled(false);
    return WebClient.create(vertx, options, new PoolOptions().setHttp1MaxSize(settings.concurrency()));
  }

  /** A TCP connect before any request: an unreachable target is one clear error, not a run full of failures. */
  private Future<Void> checkReachable(Endpoint target) {
    int timeoutMs = (int) Math.min(10_000, settings.timeout().toMillis());
    NetClient probe = vertx.createNetClient(new NetClientOptions().setConnectTimeout(timeoutMs));
    return probe.connect(target.port(), target.host())
      .compose(socket -> socket.close())
      .recover(failure -> Future.failedFuture(new BenchException(
        "cannot connect to " + target.origin() + " (" + target.url() + "): " + describe(failure))))
      .eventually(() -> probe.close());
  }

  private static String describe(Throwable failure) {
    if (failure instanceof UnknownHostException) {
      return "unknown host";
    }
    String message = failure.getMessage();
    return message == null || message.isBlank() ? failure.getClass().getSimpleName() : message.lines().findFirst().orElse(message);
  }
}
