package io.loopscope.concurrency;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** asyncio.TaskGroup's contract, on Vert.x futures. */
@ExtendWith(VertxExtension.class)
class TaskGroupTest {

  @Test
  void all_children_succeed_and_join_has_every_outcome_in_spawn_order(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> {
      TaskGroup group = TaskGroup.open();
      group.spawn(work.succeedAfter(30, "a"));
      group.spawn(work.succeedAfter(10, "b"));
      group.join().onComplete(ctx.succeeding(outcomes -> ctx.verify(() -> {
        assertThat(outcomes).extracting(Outcome::index).containsExactly(0, 1);
        assertThat(outcomes).extracting(Outcome::value).containsExactly("a", "b");
        assertThat(outcomes).allMatch(Outcome::ok);
        ctx.completeNow();
      })));
    });
  }

  @Test
  void the_first_failure_cancels_the_other_children_and_their_timers(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      TaskGroup group = TaskGroup.open();
      group.spawn(work.succeedAfter(5_000, "slow"));
      group.spawn(work.failAfter(20, "boom"));
      group.spawn(work.succeedAfter(5_000, "slower"));
      group.join().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(FanOutException.class);
        FanOutException groupFailure = (FanOutException) failure;
        assertThat(groupFailure.failedIndex()).isEqualTo(1);
        assertThat(groupFailure.getCause()).hasMessage("boom");
        assertThat(groupFailure.cancelled()).containsExactly(0, 2);
        assertThat(groupFailure.outcomes()).extracting(Outcome::cancelled).containsExactly(true, false, true);
        assertThat(work.cancelledTimers()).as("the slow timers were cancelled, not left to fire").isEqualTo(2);
        assertThat(work.noTimerPending()).isTrue();
        assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(2_000);
        ctx.completeNow();
      })));
    });
  }

  @Test
  void a_child_that_ignores_cancellation_is_still_awaited(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    long start = System.nanoTime();
    vertx.runOnContext(v -> {
      TaskGroup group = TaskGroup.open();
      group.spawn(work.ignoreCancellation(300, "stubborn"));
      group.spawn(work.failAfter(10, "boom"));
      group.join().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        FanOutException groupFailure = (FanOutException) failure;
        assertThat((System.nanoTime() - start) / 1_000_000).as("join waited for the stubborn child").isGreaterThanOrEqualTo(290);
        assertThat(groupFailure.cancelled()).containsExactly(0);
        Outcome<?> stubborn = groupFailure.outcomes().get(0);
        assertThat(stubborn.ok()).as("it finished its work regardless").isTrue();
        assertThat(stubborn.value()).isEqualTo("stubborn");
        assertThat(work.noTimerPending()).isTrue();
        ctx.completeNow();
      })));
    });
  }

  @Test
  void nested_groups_are_cancelled_all_the_way_down(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> {
      TaskGroup outer = TaskGroup.open();
      outer.spawn(cancellation -> {
        TaskGroup inner = TaskGroup.open(cancellation);
        inner.spawn(work.succeedAfter(5_000, "inner 0"));
        inner.spawn(work.succeedAfter(5_000, "inner 1"));
        return inner.join();
      });
      outer.spawn(work.failAfter(20, "outer boom"));
      outer.join().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        FanOutException groupFailure = (FanOutException) failure;
        assertThat(groupFailure.failedIndex()).isEqualTo(1);
        assertThat(groupFailure.cancelled()).containsExactly(0);
        assertThat(groupFailure.outcomes().get(0).error()).isInstanceOf(CancelledException.class);
        assertThat(work.cancelledTimers()).as("both inner timers").isEqualTo(2);
        assertThat(work.noTimerPending()).isTrue();
        ctx.completeNow();
      })));
    });
  }

  @Test
  void cancelling_the_group_from_outside_stops_every_child(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> {
      TaskGroup group = TaskGroup.open();
      group.spawn(work.succeedAfter(5_000, "a"));
      group.spawn(work.succeedAfter(5_000, "b"));
      vertx.setTimer(20, t -> group.cancel("shutting down"));
      group.join().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        assertThat(failure).isInstanceOf(CancelledException.class).hasMessage("shutting down");
        assertThat(work.cancelledTimers()).isEqualTo(2);
        ctx.completeNow();
      })));
    });
  }

  @Test
  void a_joined_group_takes_no_more_children(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> ctx.verify(() -> {
      TaskGroup group = TaskGroup.open();
      group.spawn(work.succeedAfter(1, "a"));
      group.join();
      assertThatThrownBy(() -> group.spawn(work.succeedAfter(1, "late"))).isInstanceOf(IllegalStateException.class);
      ctx.completeNow();
    }));
  }

  @Test
  void work_that_throws_instead_of_failing_counts_as_a_failed_child(Vertx vertx, VertxTestContext ctx) {
    TestWork work = new TestWork(vertx);
    vertx.runOnContext(v -> {
      TaskGroup group = TaskGroup.open();
      group.spawn(work.succeedAfter(5_000, "a"));
      group.spawn(cancellation -> {
        throw new IllegalArgumentException("thrown");
      });
      group.join().onComplete(ctx.failing(failure -> ctx.verify(() -> {
        assertThat(((FanOutException) failure).failedIndex()).isEqualTo(1);
        assertThat(work.cancelledTimers()).isEqualTo(1);
        ctx.completeNow();
      })));
    });
  }
}
