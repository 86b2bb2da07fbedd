package io.loopscope.http;

import io.loopscope.testing.Burst;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The article's claims, as properties with generous margins (exact figures belong to the benchmark):
 * 100 concurrent async waits overlap; the bad example serialises behind its blocked event loops;
 * unordered blocking calls run in parallel while ordered ones queue per loop; CPU work leaves the loops free.
 */
@ExtendWith(VertxExtension.class)
class ArticleConcurrencyTest {

  private static final int LOOPS = 4;
  private static TestService service;
  private WebClient client;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of("vertx.eventLoops", LOOPS));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @BeforeEach
  void connect(Vertx vertx) {
    client = service.apiClient(vertx);
  }

  @AfterEach
  void close() {
    client.close();
  }

  @Test
  void a_hundred_concurrent_100_ms_async_waits_finish_in_about_100_ms(VertxTestContext ctx) {
    Burst.get(client, 100, "/test/async?ms=100").onComplete(ctx.succeeding(burst -> ctx.verify(() -> {
      assertThat(burst.count(200)).isEqualTo(100);
      assertThat(burst.elapsedMs()).as("100 x 100 ms overlapped").isLessThan(1_000);
      ctx.completeNow();
    })));
  }

  @Test
  void a_hundred_bad_examples_queue_behind_their_blocked_event_loops(VertxTestContext ctx) {
    long floorMs = (long) (0.8 * 100 * 100 / LOOPS);
    Burst.get(client, 100, "/bad-example?ms=100").onComplete(ctx.succeeding(burst -> ctx.verify(() -> {
      assertThat(burst.count(200)).isEqualTo(100);
      assertThat(burst.elapsedMs()).as("each loop serves its share one after another").isGreaterThanOrEqualTo(floorMs);
      ctx.completeNow();
    })));
  }

  @Test
  void unordered_blocking_calls_run_in_parallel_while_ordered_ones_queue_per_event_loop(VertxTestContext ctx) {
    Burst.get(client, 100, "/test/sync?ms=100")
      .compose(unordered -> Burst.get(client, 100, "/test/sync?ms=100&ordered=true").map(ordered -> List.of(unordered, ordered)))
      .onComplete(ctx.succeeding(runs -> ctx.verify(() -> {
        Burst.Result unordered = runs.get(0);
        Burst.Result ordered = runs.get(1);
        assertThat(unordered.count(200)).isEqualTo(100);
        assertThat(ordered.count(200)).isEqualTo(100);
        assertThat(unordered.elapsedMs()).as("100 threads sleep at once").isLessThan(1_000);
        assertThat(ordered.elapsedMs()).as("25 per loop, one at a time").isGreaterThan(2_000);
        assertThat(ordered.elapsedMs()).isGreaterThan(2 * unordered.elapsedMs());
        ctx.completeNow();
      })));
  }

  @Test
  void sorting_a_million_numbers_leaves_the_event_loops_free(Vertx vertx, VertxTestContext ctx) {
    Buffer body = millionNumbers();
    List<Long> probeMs = new ArrayList<>();
    Future<HttpResponse<Buffer>> sort = client.post("/process").timeout(60_000).sendBuffer(body);
    Promise<Void> probing = Promise.promise();
    probeUntil(sort, probeMs, probing);
    Future.all(sort, probing.future()).onComplete(ctx.succeeding(done -> ctx.verify(() -> {
      HttpResponse<Buffer> sorted = sort.result();
      assertThat(sorted.statusCode()).isEqualTo(200);
      assertThat(sorted.getHeader(ArticleRoutes.WORKER_THREAD_HEADER)).startsWith("cpu-");
      assertThat(sorted.bodyAsJsonObject().getInteger("count")).isEqualTo(1_000_000);
      assertThat(probeMs).as("probes answered while the sort ran").hasSizeGreaterThanOrEqualTo(3);
      assertThat(probeMs).allSatisfy(ms -> assertThat(ms).isLessThan(100L));
      ctx.completeNow();
    })));
  }

  /** Sequential /test/async?ms=0 probes, each timed, until the sort has answered. */
  private void probeUntil(Future<?> sort, List<Long> probeMs, Promise<Void> done) {
    if (sort.isComplete()) {
      done.complete();
      return;
    }
    long start = System.nanoTime();
    client.get("/test/async?ms=0").send().onComplete(probe -> {
      if (probe.failed() || probe.result().statusCode() != 200) {
        done.fail("probe failed");
        return;
      }
      if (!sort.isComplete()) {
        probeMs.add((System.nanoTime() - start) / 1_000_000);
      }
      probeUntil(sort, probeMs, done);
    });
  }

  private static Buffer millionNumbers() {
    StringBuilder json = new StringBuilder(8_000_000).append('[');
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int i = 0; i < 1_000_000; i++) {
      if (i > 0) {
        json.append(',');
      }
      json.append(random.nextInt(-1_000_000, 1_000_000));
    }
    return Buffer.buffer(json.append(']').toString());
  }
}
