package io.loopscope.loopwatch;

import org.HdrHistogram.SingleWriterRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What LoopWatch adds to the hot paths, measured alone ({@code perf/jmh LoopWatch}): the route stamp
 * every API request makes, its figures into its route's recorder, and the lag sample every heartbeat records.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class LoopWatchBenchmark {

  private final RunningWork running = new RunningWork(thread -> null);
  private final RouteRecorder route = new RouteRecorder();
  private final Object request = new Object();
  private final SingleWriterRecorder recorder = new SingleWriterRecorder(3_600_000_000L, 2);
  private long dispatch;
  private long sample;

  /**
   * The first router handler's work per request: a thread-local slot and two volatile writes. (On a
   * Vert.x thread the slot lookup is Netty's indexed FastThreadLocal; this thread takes its slower
   * fallback, so the figure is an upper bound.)
   */
  @Benchmark
  public long routeStamp() {
    running.record(++dispatch, request);
    return dispatch;
  }

  /** One request's figures (loop busy, wall, no pool) into its route's single-writer recorder. */
  @Benchmark
  public long routeFigures() {
    sample = (sample + 7_919) % 50_000L;
    route.record(sample * 1_000, sample * 3_000, -1, -1);
    return sample;
  }

  /** One heartbeat's lag sample into the loop's recorder. */
  @Benchmark
  public long lagSample() {
    sample = (sample + 7_919) % 50_000L;
    recorder.recordValue(sample);
    return sample;
  }
}
