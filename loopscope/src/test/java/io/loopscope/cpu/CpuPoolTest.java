package io.loopscope.cpu;

import java.util.concurrent.Callable;
import io.loopscope.failures.Saturated;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class CpuPoolTest {

  @Test
  void jobs_run_on_named_cpu_threads_in_parallel(Vertx vertx, VertxTestContext ctx) {
    CpuPool pool = new CpuPool(vertx, 2, 10, 60_000);
    CountDownLatch bothRunning = new CountDownLatch(2);
    Callable<String> job = () -> {
      bothRunning.countDown();
      // returns only if the other job runs at the same time
      return bothRunning.await(10, TimeUnit.SECONDS) ? Thread.currentThread().getName() : "alone";
    };
    Future.all(pool.submit(job), pool.submit(job)).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      assertThat(all.<String>resultAt(0)).matches("cpu-\\d+");
      assertThat(all.<String>resultAt(1)).matches("cpu-\\d+").isNotEqualTo(all.resultAt(0));
      assertThat(pool.inFlight()).isZero();
      ctx.completeNow();
    })));
  }

  @Test
  void a_full_pool_refuses_with_a_retry_after_instead_of_queueing(Vertx vertx, VertxTestContext ctx) {
    CpuPool pool = new CpuPool(vertx, 1, 1, 60_000);
    CountDownLatch release = new CountDownLatch(1);
    Future<Boolean> busy = pool.submit(() -> release.await(10, TimeUnit.SECONDS));
    pool.submit(() -> "never").onComplete(ctx.failing(failure -> ctx.verify(() -> {
      assertThat(failure).isInstanceOfSatisfying(Saturated.class,
        saturated -> assertThat(saturated.retryAfterSeconds()).isPositive());
      release.countDown();
      busy.onComplete(ctx.succeeding(done -> ctx.verify(() -> {
        assertThat(pool.inFlight()).isZero();
        ctx.completeNow();
      })));
    })));
  }
}
