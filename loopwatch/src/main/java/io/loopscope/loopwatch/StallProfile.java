package io.loopscope.loopwatch;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A stall's sampled profile: the blocked thread's stack at detection and again at every watchdog tick while the
 * stall lasts, merged by method (a spinning loop's samples land on several lines of one method). One stack taken
 * late can land past the culprit; the application method that is innermost on most samples is where the time went.
 */
final class StallProfile {

  /** 10 s of 20-ms ticks: enough to rank frames; a longer stall keeps its first samples. */
  static final int MAX_SAMPLES = 500;
  static final int FRAMES_SHOWN = 24;

  /** One method's figures over the samples. */
  private static final class Figures {
    final String method;
    final int depth;
    final boolean application;
    int samples;
    /** Samples on which it was the innermost application frame, and the frame and callee of the last such. */
    int innermost;
    StackTraceElement frame;
    StackTraceElement callee;

    Figures(String method, int depth, boolean application) {
      this.method = method;
      this.depth = depth;
      this.application = application;
    }
  }

  private final Map<String, Figures> byMethod = new HashMap<>();
  private int samples;

  /** One sample, {@code stack[0]} innermost; a method on it twice (recursion) counts once. */
  synchronized void add(StackTraceElement[] stack) {
    if (samples >= MAX_SAMPLES) {
      return;
    }
    samples++;
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < stack.length; i++) {
      String method = method(stack[i]);
      if (seen.add(method)) {
        int depth = i;
        StackTraceElement frame = stack[i];
        byMethod.computeIfAbsent(method, name -> new Figures(name, depth, Culprit.application(frame))).samples++;
      }
    }
    int innermost = Culprit.innermostApplicationFrame(stack);
    if (innermost >= 0) {
      Figures figures = byMethod.get(method(stack[innermost]));
      figures.innermost++;
      figures.frame = stack[innermost];
      figures.callee = innermost == 0 ? null : stack[innermost - 1];
    }
  }

  synchronized int samples() {
    return samples;
  }

  /**
   * The application method innermost on the most samples (the deeper one among equals), and the call it made
   * then; null when no sample had an application frame.
   */
  synchronized Culprit culprit() {
    Figures culprit = culpritFigures();
    return culprit == null ? null : Culprit.at(culprit.frame, culprit.callee);
  }

  /** {@code [{frame, samples, share, depth, application, culprit}]}: most samples first, the innermost first among equals. */
  synchronized JsonArray toJson() {
    Figures culprit = culpritFigures();
    List<Figures> ranked = new ArrayList<>(byMethod.values());
    ranked.sort(Comparator.comparingInt((Figures figures) -> -figures.samples).thenComparingInt(figures -> figures.depth));
    JsonArray frames = new JsonArray();
    for (Figures figures : ranked.subList(0, Math.min(FRAMES_SHOWN, ranked.size()))) {
      frames.add(new JsonObject().put("frame", figures.method).put("samples", figures.samples)
        .put("share", Math.round(1000.0 * figures.samples / samples) / 1000.0).put("depth", figures.depth)
        .put("application", figures.application).put("culprit", figures == culprit));
    }
    return frames;
  }

  private Figures culpritFigures() {
    return byMethod.values().stream().filter(figures -> figures.innermost > 0)
      .min(Comparator.comparingInt((Figures figures) -> -figures.innermost).thenComparingInt(figures -> figures.depth))
      .orElse(null);
  }

  /** {@code java.base/java.lang.Thread.sleep}: the frame without its line. */
  private static String method(StackTraceElement frame) {
    String module = frame.getModuleName();
    return (module == null ? "" : module + "/") + frame.getClassName() + "." + frame.getMethodName();
  }
}
