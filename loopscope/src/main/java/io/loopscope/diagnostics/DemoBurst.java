package io.loopscope.diagnostics;

import io.loopscope.concurrency.Elapsed;
import io.loopscope.failures.Conflict;
import io.loopscope.failures.Saturated;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.core.buffer.Buffer;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntSupplier;

/**
 * The dashboard's "Run the demo": a small, fixed burst of {@code /bad-example} and {@code /good-example}
 * calls against this service's own API port, so the blocked loops show up live without any other tool, and
 * a burst of sorts ({@code POST /process}) larger than the cpu pool, so a saturated pool shows up too.
 * One burst at a time; its size is fixed, so the button cannot be turned into a load generator.
 */
public final class DemoBurst {

  public static final int BAD_CALLS = 3;
  static final int BAD_MS = 300;
  public static final int GOOD_CALLS = 20;
  /** Sorts of this many numbers, more at once than the cpu pool has threads: its queue shows a saturated pool. */
  static final int SORT_CALLS = 16;
  static final int SORT_NUMBERS = 200_000;
  private static final Buffer SORT_BODY = sortBody();
  private static final int TIMEOUT_MS = 10_000;

  private final WebClient client;
  private final String host;
  private final IntSupplier apiPort;
  private final AtomicBoolean running = new AtomicBoolean();

  /** @param apiHost where the API listens (a wildcard address is reached on loopback) */
  public DemoBurst(Vertx vertx, String apiHost, IntSupplier apiPort) {
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false),
      new PoolOptions().setHttp1MaxSize(BAD_CALLS + GOOD_CALLS + SORT_CALLS));
    this.host = apiHost.equals("0.0.0.0") || apiHost.equals("::") ? "127.0.0.1" : apiHost;
    this.apiPort = apiPort;
  }

  /** Fires the burst and answers with the status counts per endpoint, or fails with 409 while one runs. */
  public Future<JsonObject> run() {
    if (apiPort.getAsInt() <= 0) {
      return Future.failedFuture(new Saturated("The API is not listening yet", 1));
    }
    if (!running.compareAndSet(false, true)) {
      return Future.failedFuture(new Conflict("demo-running", "A demo is running",
        "Wait for the running demo burst to finish"));
    }
    long start = System.nanoTime();
    Future<JsonObject> bad = burst("/bad-example?ms=" + BAD_MS, BAD_CALLS);
    Future<JsonObject> good = burst("/good-example", GOOD_CALLS);
    Future<JsonObject> sorts = burst("/process", SORT_CALLS);
    return Future.all(bad, good, sorts)
      .map(done -> new JsonObject()
        .put("badExample", bad.result())
        .put("goodExample", good.result())
        .put("process", sorts.result())
        .put("elapsedMs", Elapsed.msSince(start)))
      .andThen(done -> running.set(false));
  }

  /** {@code {"path":..,"requests":3,"statuses":{"200":3}}}; a failed connection counts as status "error". */
  private Future<JsonObject> burst(String path, int calls) {
    List<Future<String>> outcomes = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      boolean sort = path.equals("/process");
      outcomes.add((sort ? client.post(apiPort.getAsInt(), host, path).timeout(TIMEOUT_MS).sendBuffer(SORT_BODY)
          : client.get(apiPort.getAsInt(), host, path).timeout(TIMEOUT_MS).send())
        .map(HttpResponse<Buffer>::statusCode).map(String::valueOf)
        .otherwise("error"));
    }
    return Future.join(outcomes).map(done -> {
      Map<String, Integer> counts = new TreeMap<>();
      outcomes.forEach(outcome -> counts.merge(outcome.result(), 1, Integer::sum));
      JsonObject statuses = new JsonObject();
      counts.forEach(statuses::put);
      return new JsonObject().put("path", path).put("requests", calls).put("statuses", statuses);
    });
  }

  /**
   * 0 to 199,999 shuffled, the same body each time, made once. Shuffled, since a warm JIT sorts a reversed run in
   * a few milliseconds: 16 of those did not queue past the 100-ms threshold even on one cpu thread.
   */
  private static Buffer sortBody() {
    int[] shuffled = new int[SORT_NUMBERS];
    SplittableRandom random = new SplittableRandom(SORT_NUMBERS);
    for (int i = 0; i < SORT_NUMBERS; i++) {
      int j = random.nextInt(i + 1);
      shuffled[i] = shuffled[j];
      shuffled[j] = i;
    }
    StringBuilder numbers = new StringBuilder(SORT_NUMBERS * 7).append('[');
    for (int i = 0; i < SORT_NUMBERS; i++) {
      numbers.append(shuffled[i]).append(i < SORT_NUMBERS - 1 ? "," : "]");
    }
    return Buffer.buffer(numbers.toString());
  }

  public void close() {
    client.close();
  }
}
