package io.loopscope.bench;

import io.vertx.core.Vertx;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows a run that lasts longer than 2 s on stderr: a redrawn bar when stderr is a terminal,
 * a plain line every 2 s otherwise (logs, CI), nothing when turned off.
 */
public final class Progress {

  public enum Style { AUTO, BAR, LINES, OFF }

  private static final long SHOW_AFTER_MS = 2_000;
  private static final int BAR_WIDTH = 24;

  private final Vertx vertx;
  private final BenchRunner runner;
  private final PrintStream err;
  private final boolean bar;
  private long timerId;
  private long lastCompleted;
  private long lastNanos;
  private BenchRunner.Status lastStatus;
  private boolean drawn;

  private Progress(Vertx vertx, BenchRunner runner, PrintStream err, boolean bar) {
    this.vertx = vertx;
    this.runner = runner;
    this.err = err;
    this.bar = bar;
  }

  /** Starts showing progress after 2 s; {@code null} when the style is OFF. */
  static Progress start(Vertx vertx, BenchRunner runner, PrintStream err, Style style) {
    Style resolved = style == Style.AUTO ? (System.console() != null ? Style.BAR : Style.LINES) : style;
    if (resolved == Style.OFF) {
      return null;
    }
    Progress progress = new Progress(vertx, runner, err, resolved == Style.BAR);
    progress.timerId = vertx.setPeriodic(SHOW_AFTER_MS, resolved == Style.BAR ? 250 : 2_000, t -> progress.show());
    return progress;
  }

  /** Stops and clears the bar, so the results print on a clean line. */
  synchronized void stop() {
    vertx.cancelTimer(timerId);
    if (drawn) {
      err.print("\r\033[K");
      err.flush();
      drawn = false;
    }
  }

  private synchronized void show() {
    BenchRunner.Status status = runner.status();
    if (status == null) {
      return;
    }
    long now = System.nanoTime();
    long completed = status.completed();
    if (status != lastStatus) {
      lastStatus = status;
      lastCompleted = 0;
      lastNanos = now - status.elapsedNanos();
    }
    double rate = now > lastNanos ? (completed - lastCompleted) * 1e9 / (now - lastNanos) : 0;
    lastCompleted = completed;
    lastNanos = now;
    String text = String.format(Locale.ROOT, "%s%s [%d/%d] %.1fs, %d answered, %.0f req/s", status.warmingUp() ? "warm-up " : "",
      status.target().label(), status.index() + 1, status.count(), status.elapsedNanos() / 1e9, completed, rate);
    if (bar) {
      err.print("\r\033[K" + meter(fraction(status, completed)) + " " + text);
      drawn = true;
    } else {
      err.println("bench: " + text);
    }
    err.flush();
  }

  private static double fraction(BenchRunner.Status status, long completed) {
    LoadSettings settings = status.settings();
    return settings.mode() == LoadSettings.Mode.BURST
      ? (double) completed / Math.max(1, settings.requests())
      : (double) status.elapsedNanos() / Math.max(1, settings.duration().toNanos());
  }

  private static String meter(double fraction) {
    int filled = (int) Math.round(Math.max(0, Math.min(1, fraction)) * BAR_WIDTH);
    return "[" + "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled) + "] " + String.format(Locale.ROOT, "%3.0f%%", Math.min(1, fraction) * 100);
  }
}
