package io.loopscope.loopwatch;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What a stall is held against: the time its thread held the dispatch by its own doing. A waiting thread is
 * judged by wall time less the process's pauses; a thread running Java code by the CPU time it used.
 */
class OwnTimeTest {

  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
  private final ProcessPauses pauses = new ProcessPauses(20, now -> { }, pause -> { });
  private final LoopCpuTime cpu = new LoopCpuTime(2_000 * MS, 20 * MS);
  private final OwnTime ownTime = new OwnTime(pauses, cpu);
  private final CountDownLatch done = new CountDownLatch(1);
  private volatile boolean spinning = true;

  @AfterEach
  void release() {
    spinning = false;
    done.countDown();
  }

  @Test
  void a_waiting_thread_is_held_to_its_wall_time() throws InterruptedException {
    Thread waiting = started(() -> waitFor(done));
    await().until(() -> waiting.getState() == Thread.State.WAITING);
    long start = System.nanoTime() - 300 * MS;
    cpu.sample(waiting, start); // it used no CPU since: that does not excuse a wait

    assertThat(ownTime.of(waiting, start, start + 300 * MS, waiting.getStackTrace())).isEqualTo(300 * MS);
  }

  @Test
  void a_waiting_thread_is_not_held_to_the_time_the_whole_process_stood_still() throws InterruptedException {
    Thread waiting = started(() -> waitFor(done));
    await().until(() -> waiting.getState() == Thread.State.WAITING);
    long start = 10_000 * MS;
    pauses.tick(start);
    pauses.tick(start + 20 * MS);
    pauses.tick(start + 290 * MS); // stood still from 40 to 290 ms

    assertThat(ownTime.of(waiting, start, start + 300 * MS, waiting.getStackTrace())).isEqualTo(50 * MS);
  }

  @Test
  void a_thread_running_java_code_is_held_to_the_cpu_time_it_used() {
    Thread spinner = started(() -> {
      while (spinning) {
        Thread.onSpinWait();
      }
    });
    long start = System.nanoTime();
    cpu.sample(spinner, start);
    await().until(() -> cpu.usedSince(spinner, start) >= 150 * MS);
    long now = System.nanoTime();
    long own = ownTime.of(spinner, start, now, spinner.getStackTrace());

    assertThat(own).as("CPU time of a spinning thread").isGreaterThanOrEqualTo(150 * MS).isLessThanOrEqualTo(now - start);
  }

  @Test
  void a_thread_running_java_code_that_got_no_cpu_is_not_held_to_the_wall_time() {
    Thread spinner = started(() -> {
      while (spinning) {
        Thread.onSpinWait();
      }
    });
    await().until(() -> spinner.getState() == Thread.State.RUNNABLE && spinner.getStackTrace().length > 0);
    long start = System.nanoTime();
    cpu.sample(spinner, start);
    long used = cpu.usedSince(spinner, start);
    // as if it had been 300 ms since the sample: it used far less CPU than that, so it waited for a core
    assertThat(ownTime.of(spinner, start, start + 300 * MS, spinner.getStackTrace())).isLessThan(300 * MS)
      .isGreaterThanOrEqualTo(used);
  }

  @Test
  void without_a_sample_from_before_the_dispatch_the_wall_time_counts() {
    Thread spinner = started(() -> {
      while (spinning) {
        Thread.onSpinWait();
      }
    });
    long start = System.nanoTime();
    cpu.sample(spinner, start + 50 * MS); // only later samples: what it used since start is unknown

    assertThat(cpu.usedSince(spinner, start)).isEqualTo(-1);
    assertThat(ownTime.of(spinner, start, start + 300 * MS, spinner.getStackTrace())).isEqualTo(300 * MS);
  }

  private static Thread started(Runnable body) {
    Thread thread = new Thread(body, "own-time-test");
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void waitFor(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
