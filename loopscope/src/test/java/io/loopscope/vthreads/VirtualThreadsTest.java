package io.loopscope.vthreads;

import io.loopscope.testing.Java21;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.internal.ContextInternal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * What Vert.x 5.0.7's virtual-thread verticles do, shown rather than claimed: one instance runs its
 * tasks one at a time unless a task awaits a Vert.x future; every instance of a deployment shares one
 * event loop (Vert.x issue 5924); the work runs on virtual threads and answers on the caller's context.
 */
class VirtualThreadsTest {

  private static final int TASKS = 10;
  private static final int MS = 200;
  private Vertx vertx;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  @Test
  void one_instance_lets_awaiting_tasks_overlap_but_runs_plain_sleeps_one_at_a_time() {
    Java21.assumeVirtualThreads();
    VirtualThreads one = VirtualThreads.deploy(vertx, 1).await();

    long awaitedMs = timeAll(one, () -> vertx.timer(MS).await());
    long sleptMs = timeAll(one, () -> {
      Thread.sleep(MS);
      return null;
    });

    assertThat(awaitedMs).as("10 x timer(200 ms).await() on one instance").isLessThan(1_000L);
    assertThat(sleptMs).as("10 x Thread.sleep(200 ms) on one instance").isGreaterThanOrEqualTo(TASKS * MS);
  }

  @Test
  void many_instances_run_plain_sleeps_side_by_side() {
    Java21.assumeVirtualThreads();
    VirtualThreads many = VirtualThreads.deploy(vertx, TASKS).await();

    assertThat(timeAll(many, () -> {
      Thread.sleep(MS);
      return null;
    })).as("10 x Thread.sleep(200 ms) over 10 instances").isLessThan(1_000L);
  }

  @Test
  void every_instance_of_the_deployment_shares_one_event_loop() {
    Java21.assumeVirtualThreads();
    VirtualThreads eight = VirtualThreads.deploy(vertx, 8).await();

    Set<Object> loops = eight.contexts().stream().map(context -> ((ContextInternal) context).nettyEventLoop())
      .collect(Collectors.toSet());
    assertThat(eight.contexts()).hasSize(8);
    assertThat(loops).as("event loops behind 8 instances (Vert.x issue 5924)").hasSize(1);
  }

  @Test
  void the_work_runs_on_a_virtual_thread_and_answers_on_the_callers_context() {
    Java21.assumeVirtualThreads();
    VirtualThreads threads = VirtualThreads.deploy(vertx, 2).await();
    Context caller = vertx.getOrCreateContext();

    Future<List<Object>> answered = Future.future(promise -> caller.runOnContext(v ->
      threads.run(() -> (Object) Thread.class.getMethod("isVirtual").invoke(Thread.currentThread()))
        .onComplete(result -> promise.complete(List.of(result.result(), Vertx.currentContext() == caller)))));

    assertThat(answered.await()).as("[on a virtual thread, answered on the caller's context]").containsExactly(true, true);
  }

  @Test
  void on_java_17_nothing_is_deployed() {
    assumeFalse(VirtualThreads.supported(), "this Java runs virtual threads");

    assertThat(VirtualThreads.deploy(vertx, 4).await().available()).isFalse();
  }

  private static long timeAll(VirtualThreads threads, Callable<?> task) {
    long start = System.nanoTime();
    Future.all(IntStream.range(0, TASKS).mapToObj(i -> threads.run(task)).toList()).await();
    return (System.nanoTime() - start) / 1_000_000;
  }
}
