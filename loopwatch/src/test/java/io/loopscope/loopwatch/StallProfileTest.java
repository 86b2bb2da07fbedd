package io.loopscope.loopwatch;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** A stall's sampled profile: methods by share of samples, and the culprit as the application method innermost most often. */
class StallProfileTest {

  private static final StackTraceElement SLEEP = new StackTraceElement("java.lang.Thread", "sleep", "Thread.java", 500);
  private static final StackTraceElement EPOLL = new StackTraceElement("io.netty.channel.epoll.Native", "epollWait", "Native.java", 209);
  private static final StackTraceElement RUN = new StackTraceElement("io.netty.util.concurrent.SingleThreadEventExecutor", "run", "S.java", 1);

  private static StackTraceElement frame(String method, int line) {
    return new StackTraceElement("com.example.Shop", method, "Shop.java", line);
  }

  @Test
  void the_culprit_is_the_application_method_innermost_on_most_samples_not_the_handler_on_all_of_them() {
    StallProfile profile = new StallProfile();
    for (int i = 0; i < 8; i++) {
      profile.add(new StackTraceElement[] {SLEEP, frame("loadPrices", 40), frame("handle", 10), RUN});
    }
    profile.add(new StackTraceElement[] {frame("render", 70), frame("handle", 11), RUN});

    assertThat(profile.samples()).isEqualTo(9);
    Culprit culprit = profile.culprit();
    assertThat(culprit.method()).isEqualTo("Shop.loadPrices");
    assertThat(culprit.call()).isEqualTo("Thread.sleep");
    assertThat(culprit.frame()).isEqualTo("com.example.Shop.loadPrices(Shop.java:40)");

    List<JsonObject> frames = profile.toJson().stream().map(JsonObject.class::cast).collect(Collectors.toList());
    assertThat(frames.get(0).getString("frame")).as("on every sample, once though on two lines").isEqualTo("com.example.Shop.handle");
    assertThat(frames.get(0).getDouble("share")).isEqualTo(1.0);
    assertThat(frames).filteredOn(frame -> frame.getBoolean("culprit"))
      .extracting(frame -> frame.getString("frame")).containsExactly("com.example.Shop.loadPrices");
    assertThat(frames).filteredOn(frame -> frame.getString("frame").endsWith(".render"))
      .singleElement().satisfies(frame -> assertThat(frame.getDouble("share")).isEqualTo(0.111));
  }

  @Test
  void a_spinning_method_s_samples_on_several_lines_add_up_to_one_frame() {
    StallProfile profile = new StallProfile();
    for (int line = 20; line < 24; line++) {
      profile.add(new StackTraceElement[] {frame("spin", line), frame("handle", 10), RUN});
    }
    assertThat(profile.culprit().method()).isEqualTo("Shop.spin");
    assertThat(profile.culprit().call()).as("it called nothing: it ran").isNull();
    assertThat(profile.toJson().getJsonObject(0).getString("frame")).as("the innermost first among equals").isEqualTo("com.example.Shop.spin");
    assertThat(profile.toJson().getJsonObject(0).getInteger("samples")).isEqualTo(4);
  }

  @Test
  void no_application_frame_on_any_sample_means_no_culprit() {
    StallProfile profile = new StallProfile();
    profile.add(new StackTraceElement[] {EPOLL, RUN});
    assertThat(profile.culprit()).isNull();
    assertThat(profile.toJson()).allSatisfy(frame -> assertThat(((JsonObject) frame).getBoolean("culprit")).isFalse());
  }

  @Test
  void a_long_stall_keeps_its_first_samples_only() {
    StallProfile profile = new StallProfile();
    for (int i = 0; i < StallProfile.MAX_SAMPLES + 50; i++) {
      profile.add(new StackTraceElement[] {SLEEP, frame("handle", 10)});
    }
    assertThat(profile.samples()).isEqualTo(StallProfile.MAX_SAMPLES);
  }
}
