package io.loopscope.concurrency;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;

/** gather, return_exceptions, first-wins and deadlines, on Vert.x futures. */
@ExtendWith(VertxExtension.class)
class FanOutTest {

  private static long msSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  @Test
  void all_runs_the_calls_concurrently_and_keeps_their_order(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    long start = System.nanoTime();
    vertx.runOnContext(v -> FanOut.start(List.of(work.succeedAfter(200, "a"), work.succeedAfter(100, "b"), work.succeedAfter(150, "c")))
      .all().onComplete(ctx.succeeding(values -> ctx.verify(() -> {
        assertThat(values).containsExactly("a", "b", "c");
        assertThat(msSince(start)).as("about the slowest, not the sum").isLessThan(400);
        ctx.completeNow();
      }))));
  }

  @Test
  void all_fails_at_the_first_failure_naming_it_while_the_others_keep_running(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    long start = System.nanoTime();
    vertx.runOnContext(v -> FanOut.start(List.of(work.succeedAfter(1_000, "a"), work.failAfter(30, "boom"), work.succeedAfter(1_000, "c")))
      .all().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        FanOutException fanOut = (FanOutException) failure;
        assertThat(fanOut.kind()).isEqualTo(FanOutException.Kind.CALL_FAILED);
        assertThat(fanOut.failedIndex()).isEqualTo(1);
        assertThat(fanOut.unfinished()).containsExactly(0, 2);
        assertThat(msSince(start)).isLessThan(500);
        assertThat(work.cancelledTimers()).as("like gather, the rest are not cancelled").isZero();
        ctx.completeNow();
      }))));
  }

  @Test
  void join_keeps_every_outcome_in_order(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> FanOut.start(List.of(work.succeedAfter(50, "a"), work.failAfter(10, "boom"), work.succeedAfter(20, "c")))
      .join().onComplete(ctx.succeeding(outcomes -> ctx.verify(() -> {
        assertThat(outcomes).extracting(Outcome::index).containsExactly(0, 1, 2);
        assertThat(outcomes).extracting(Outcome::ok).containsExactly(true, false, true);
        assertThat(outcomes.get(1).error()).hasMessage("boom");
        assertThat(outcomes.get(0).ms()).isGreaterThanOrEqualTo(outcomes.get(2).ms());
        ctx.completeNow();
      }))));
  }

  @Test
  void any_takes_the_first_success_and_cancels_the_rest(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> FanOut.start(List.of(work.failAfter(5, "boom"), work.succeedAfter(30, "fast"), work.succeedAfter(5_000, "slow")))
      .any().onComplete(ctx.succeeding(winner -> ctx.verify(() -> {
        assertThat(winner.index()).isEqualTo(1);
        assertThat(winner.value()).isEqualTo("fast");
        work.settled().onComplete(settled -> ctx.verify(() -> {
          assertThat(work.cancelledTimers()).as("the slow loser").isEqualTo(1);
          ctx.completeNow();
        }));
      }))));
  }

  @Test
  void any_fails_only_when_every_call_failed(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> FanOut.start(List.of(work.failAfter(5, "one"), work.failAfter(10, "two")))
      .any().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        FanOutException fanOut = (FanOutException) failure;
        assertThat(fanOut.kind()).isEqualTo(FanOutException.Kind.ALL_FAILED);
        assertThat(fanOut.outcomes()).hasSize(2).noneMatch(Outcome::ok);
        ctx.completeNow();
      }))));
  }

  @Test
  void a_deadline_cancels_the_unfinished_calls_and_names_them(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      FanOut<String> calls = FanOut.start(List.of(work.succeedAfter(10, "quick"), work.succeedAfter(5_000, "a"), work.succeedAfter(5_000, "b")));
      calls.within(vertx, 100, calls.join()).onComplete(ctx.failing(failure -> ctx.verify(() -> {
        FanOutException fanOut = (FanOutException) failure;
        assertThat(fanOut.kind()).isEqualTo(FanOutException.Kind.DEADLINE_EXCEEDED);
        assertThat(fanOut.unfinished()).containsExactly(1, 2);
        assertThat(fanOut.outcomes()).hasSize(1);
        assertThat(fanOut.outcomes().get(0).value()).isEqualTo("quick");
        assertThat(msSince(start)).isLessThan(1_000);
        work.settled().onComplete(settled -> ctx.verify(() -> {
          assertThat(work.cancelledTimers()).isEqualTo(2);
          assertThat(msSince(start)).as("cancelled, not fired").isLessThan(1_000);
          ctx.completeNow();
        }));
      })));
    });
  }

  @Test
  void a_deadline_that_is_not_reached_changes_nothing(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> {
      FanOut<String> calls = FanOut.start(List.of(work.succeedAfter(10, "a"), work.succeedAfter(20, "b")));
      calls.within(vertx, 5_000, calls.all()).onComplete(ctx.succeeding(values -> ctx.verify(() -> {
        assertThat(values).containsExactly("a", "b");
        assertThat(work.cancelledTimers()).isZero();
        ctx.completeNow();
      })));
    });
  }

  @Test
  void a_per_call_timeout_cancels_that_call_only(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> FanOut.start(List.of(
        Deadlines.withTimeout(vertx, 50, work.succeedAfter(5_000, "too slow")),
        Deadlines.withTimeout(vertx, 5_000, work.succeedAfter(10, "in time"))))
      .join().onComplete(ctx.succeeding(outcomes -> ctx.verify(() -> {
        assertThat(outcomes.get(0).error()).isInstanceOf(TimeoutException.class);
        assertThat(outcomes.get(1).value()).isEqualTo("in time");
        work.settled().onComplete(settled -> ctx.verify(() -> {
          assertThat(work.cancelledTimers()).isEqualTo(1);
          ctx.completeNow();
        }));
      }))));
  }

  @Test
  void sequential_takes_the_sum_of_the_calls(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    long start = System.nanoTime();
    vertx.runOnContext(v -> Sequential.run(List.of(work.succeedAfter(100, "a"), work.succeedAfter(100, "b"), work.succeedAfter(100, "c")))
      .onComplete(ctx.succeeding(outcomes -> ctx.verify(() -> {
        assertThat(outcomes).extracting(Outcome::value).containsExactly("a", "b", "c");
        assertThat(msSince(start)).isGreaterThanOrEqualTo(290);
        ctx.completeNow();
      }))));
  }
}
