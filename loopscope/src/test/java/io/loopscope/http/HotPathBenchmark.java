package io.loopscope.http;

import io.vertx.core.buffer.Buffer;
import org.HdrHistogram.Histogram;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Code loopscope runs on every request (or every probe tick), measured alone: {@code perf/jmh} runs it.
 * Each figure is per call on one thread; compare with the ~15 µs a whole request costs the server.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class HotPathBenchmark {

  private final List<String> givenId = List.of("req-4f6c1d2e-9a");
  private final List<String> noId = List.of();
  private final Problem problem = Problem.invalidParameter("ms", "ms must be an integer between 0 and 10000");
  private final Histogram lag = new Histogram(60_000_000L, 2);
  private long sample;

  /** A client's X-Request-Id checked and kept. */
  @Benchmark
  public String requestIdAccepted() {
    return RequestIdHandler.acceptedOrNew(givenId);
  }

  /** No X-Request-Id: a new one is generated. */
  @Benchmark
  public String requestIdGenerated() {
    return RequestIdHandler.acceptedOrNew(noId);
  }

  /** The body of a 400 problem, as written on every bad request. */
  @Benchmark
  public Buffer problemBody() {
    return problem.toJson().toBuffer();
  }

  /** One lag sample into an HdrHistogram, as the lag probes record every check interval. */
  @Benchmark
  public long histogramRecord() {
    sample = (sample + 7_919) % 50_000_000L;
    lag.recordValue(sample);
    return sample;
  }
}
