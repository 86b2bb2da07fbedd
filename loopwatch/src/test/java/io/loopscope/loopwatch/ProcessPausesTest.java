package io.loopscope.loopwatch;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The pause clock: a tick that comes late is a window in which the whole process stood still. */
class ProcessPausesTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final List<ProcessPauses.Pause> seen = new ArrayList<>();
  private final List<Long> ticks = new ArrayList<>();
  private final ProcessPauses pauses = new ProcessPauses(20, ticks::add, seen::add);

  @Test
  void ticks_on_time_or_a_little_late_are_no_pause() {
    for (long at = 1_000; at <= 2_000; at += 25) { // 5 ms late each time: scheduling noise
      pauses.tick(at * MS);
    }

    assertThat(seen).isEmpty();
    assertThat(pauses.pausedWithin(1_000 * MS, 2_000 * MS)).isZero();
    assertThat(ticks).hasSize(41);
  }

  @Test
  void a_late_tick_is_a_pause_from_when_it_was_due_to_when_it_came() {
    pauses.tick(1_000 * MS);
    pauses.tick(1_020 * MS);
    pauses.tick(1_540 * MS); // due at 1,040

    assertThat(seen).singleElement().satisfies(pause -> {
      assertThat(pause.startNanos()).isEqualTo(1_040 * MS);
      assertThat(pause.nanos()).isEqualTo(500 * MS);
      assertThat(pause.gcMillis()).isGreaterThanOrEqualTo(0);
    });
    assertThat(pauses.pausedWithin(1_000 * MS, 1_550 * MS)).as("the whole pause").isEqualTo(500 * MS);
    assertThat(pauses.pausedWithin(1_500 * MS, 1_550 * MS)).as("its end").isEqualTo(40 * MS);
    assertThat(pauses.pausedWithin(1_540 * MS, 1_550 * MS)).as("after it").isZero();
  }

  @Test
  void an_overdue_clock_is_a_pause_still_going_on() {
    pauses.tick(1_000 * MS);

    assertThat(pauses.pausedWithin(900 * MS, 1_025 * MS)).as("5 ms overdue: not yet").isZero();
    assertThat(pauses.pausedWithin(900 * MS, 1_320 * MS)).as("from when the tick was due").isEqualTo(300 * MS);
    assertThat(seen).isEmpty();

    pauses.tick(1_320 * MS); // it comes: seen once, not counted twice
    assertThat(pauses.pausedWithin(900 * MS, 1_320 * MS)).isEqualTo(300 * MS);
    assertThat(seen).hasSize(1);
  }

  @Test
  void the_clock_runs_on_its_own_thread_until_stopped() {
    List<Long> beats = new CopyOnWriteArrayList<>();
    ProcessPauses clock = new ProcessPauses(5, beats::add, seen::add);
    clock.start();
    await().atMost(Duration.ofSeconds(5)).until(() -> beats.size() >= 3);

    clock.stop();
    await().atMost(Duration.ofSeconds(5)).until(() -> !clock.isRunning());
  }
}
