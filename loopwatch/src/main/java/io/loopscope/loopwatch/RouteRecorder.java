package io.loopscope.loopwatch;

import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;
import org.HdrHistogram.WriterReaderPhaser;

import java.util.concurrent.TimeUnit;

/**
 * One route's figures from one thread: a single writer (the loop) records wait-free, the watchdog swaps the
 * recording half out each second, as HdrHistogram's {@code SingleWriterRecorder} does, but for all of a
 * request's figures behind one phaser. Values in microseconds.
 */
final class RouteRecorder {

  static final long HIGHEST_MICROS = TimeUnit.HOURS.toMicros(1);
  static final int DIGITS = 2;

  /** One interval's figures. Worker histograms are made when a request first used a pool. */
  static final class Figures {
    long requests;
    long busySumMicros;
    private final boolean longCounts;
    final AbstractHistogram busy;
    final AbstractHistogram wall;
    AbstractHistogram queued;
    AbstractHistogram run;

    /** Figures of one interval or window (counts fit an int). */
    Figures() {
      this(false);
    }

    /** @param longCounts for totals since start, whose counts may pass 2^31 */
    Figures(boolean longCounts) {
      this.longCounts = longCounts;
      this.busy = histogram();
      this.wall = histogram();
    }

    void reset() {
      requests = 0;
      busySumMicros = 0;
      busy.reset();
      wall.reset();
      if (queued != null) {
        queued.reset();
        run.reset();
      }
    }

    /** Adds {@code other} into these figures. */
    void add(Figures other) {
      requests += other.requests;
      busySumMicros += other.busySumMicros;
      busy.add(other.busy);
      wall.add(other.wall);
      if (other.queued != null && other.queued.getTotalCount() > 0) {
        workers();
        queued.add(other.queued);
        run.add(other.run);
      }
    }

    void workers() {
      if (queued == null) {
        queued = histogram();
        run = histogram();
      }
    }

    private AbstractHistogram histogram() {
      return longCounts ? new Histogram(HIGHEST_MICROS, DIGITS) : new IntCountsHistogram(HIGHEST_MICROS, DIGITS);
    }
  }

  private final WriterReaderPhaser phaser = new WriterReaderPhaser();
  private volatile Figures active = new Figures();
  private Figures inactive = new Figures();

  /** On the writing thread only. */
  void record(long busyNanos, long wallNanos, long queuedNanos, long runNanos) {
    long phase = phaser.writerCriticalSectionEnter();
    try {
      Figures figures = active;
      long busy = micros(busyNanos);
      figures.requests++;
      figures.busySumMicros += busy;
      figures.busy.recordValue(busy);
      figures.wall.recordValue(micros(wallNanos));
      if (queuedNanos >= 0) {
        figures.workers();
        figures.queued.recordValue(micros(queuedNanos));
        figures.run.recordValue(micros(Math.max(0, runNanos)));
      }
    } finally {
      phaser.writerCriticalSectionExit(phase);
    }
  }

  /** On the watchdog: adds what was recorded since the last call into both {@code into} and {@code alsoInto}. */
  void drainInto(Figures into, Figures alsoInto) {
    phaser.readerLock();
    try {
      inactive.reset();
      Figures recorded = active;
      active = inactive;
      inactive = recorded;
      phaser.flipPhase();
      if (recorded.requests > 0) {
        into.add(recorded);
        alsoInto.add(recorded);
      }
    } finally {
      phaser.readerUnlock();
    }
  }

  private static long micros(long nanos) {
    return Math.min(HIGHEST_MICROS, Math.max(0, nanos / 1_000));
  }
}
