package io.loopscope.loopwatch;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A loop's lag probe: its beats, its one-second rolls and the 10-s window they make. */
class LoopProbeTest {

  private final DefaultEventExecutor loop = new DefaultEventExecutor();

  @AfterEach
  void stopLoop() throws InterruptedException {
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  /** The probe stopped and its loop ended: no beat can come after. */
  private void stop(LoopProbe probe) throws InterruptedException {
    probe.stop();
    assertThat(loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void the_window_holds_the_last_ten_seconds_and_recycled_seconds_start_empty() throws InterruptedException {
    LoopProbe probe = new LoopProbe(0, loop, 1, 1_000, null, "test");
    probe.start();
    long[] beats = {0};
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      probe.roll();
      beats[0] += samples(probe.lastSecondJson());
      return beats[0] >= LoopProbe.MIN_SAMPLES_FOR_P99;
    });
    long rolledAt = probe.lastBeatNanos();
    await().atMost(Duration.ofSeconds(10)).until(() -> probe.lastBeatNanos() != rolledAt); // the last second beats too
    stop(probe);
    probe.roll();
    long total = samples(probe.sinceStartJson());
    long lastBeatingSecond = samples(probe.lastSecondJson());
    assertThat(lastBeatingSecond).isPositive();
    assertThat(samples(probe.windowJson())).isPositive().isLessThanOrEqualTo(total);

    for (int second = 1; second < LoopProbe.WINDOW_SECONDS; second++) {
      probe.roll();
    }
    assertThat(samples(probe.windowJson())).isEqualTo(lastBeatingSecond); // its tenth second in the window
    probe.roll();

    // ten quiet seconds later, on histograms the recorder took back and reused: nothing of the beats is left
    assertThat(samples(probe.windowJson())).isZero();
    assertThat(samples(probe.lastSecondJson())).isZero();
    assertThat(probe.windowP99Ms()).isZero();
    assertThat(samples(probe.sinceStartJson())).isEqualTo(total);
  }

  @Test
  void a_second_with_beats_after_recycled_ones_counts_only_its_own() throws InterruptedException {
    LoopProbe probe = new LoopProbe(0, loop, 1, 1_000, null, "test");
    for (int second = 0; second <= LoopProbe.WINDOW_SECONDS; second++) {
      probe.roll(); // a full window of empty seconds: from now on every roll reuses one
    }
    probe.start();
    long[] beats = {0};
    await().atMost(Duration.ofSeconds(10)).until(() -> {
      probe.roll();
      beats[0] += samples(probe.lastSecondJson());
      return beats[0] >= 10;
    });
    stop(probe);
    probe.roll();
    beats[0] += samples(probe.lastSecondJson());

    assertThat(samples(probe.sinceStartJson())).isEqualTo(beats[0]);
    assertThat(samples(probe.windowJson())).isEqualTo(beats[0]);
  }

  private static long samples(JsonObject stats) {
    return stats.getLong("samples");
  }
}
