package io.loopscope.bench;

import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;

import java.time.Duration;

/**
 * How to load each target. Three shapes:
 * burst ({@code requests} sent by {@code concurrency} connections, the article's),
 * closed loop (each connection sends again as soon as it has an answer, for {@code duration}),
 * open loop ({@code rate} requests a second on a fixed schedule for {@code duration}, latency
 * counted from each request's scheduled time, so a stalled server cannot hide its queue).
 */
public record LoadSettings(Mode mode, long requests, int concurrency, Duration duration, double rate,
                           Duration warmup, Duration timeout, HttpMethod method, MultiMap headers, Buffer body,
                           int eventLoops) {

  public enum Mode {
    BURST("burst"), CLOSED_LOOP("closed-loop"), OPEN_LOOP("open-loop");

    private final String id;

    Mode(String id) {
      this.id = id;
    }

    public String id() {
      return id;
    }
  }

  public static LoadSettings burst(long requests, int concurrency) {
    return new LoadSettings(Mode.BURST, requests, concurrency, Duration.ZERO, 0, Duration.ZERO, Duration.ofSeconds(30),
      HttpMethod.GET, MultiMap.caseInsensitiveMultiMap(), null, 1);
  }

  public static LoadSettings closedLoop(Duration duration, int concurrency) {
    return new LoadSettings(Mode.CLOSED_LOOP, 0, concurrency, duration, 0, Duration.ZERO, Duration.ofSeconds(30),
      HttpMethod.GET, MultiMap.caseInsensitiveMultiMap(), null, 1);
  }

  public static LoadSettings openLoop(double rate, Duration duration, int concurrency) {
    return new LoadSettings(Mode.OPEN_LOOP, 0, concurrency, duration, rate, Duration.ZERO, Duration.ofSeconds(30),
      HttpMethod.GET, MultiMap.caseInsensitiveMultiMap(), null, 1);
  }

  public LoadSettings withWarmup(Duration newWarmup) {
    return new LoadSettings(mode, requests, concurrency, duration, rate, newWarmup, timeout, method, headers, body, eventLoops);
  }

  public LoadSettings withTimeout(Duration newTimeout) {
    return new LoadSettings(mode, requests, concurrency, duration, rate, warmup, newTimeout, method, headers, body, eventLoops);
  }

  public LoadSettings withRequest(HttpMethod newMethod, MultiMap newHeaders, Buffer newBody) {
    return new LoadSettings(mode, requests, concurrency, duration, rate, warmup, timeout, newMethod, newHeaders, newBody, eventLoops);
  }

  public LoadSettings withEventLoops(int newEventLoops) {
    return new LoadSettings(mode, requests, concurrency, duration, rate, warmup, timeout, method, headers, body, newEventLoops);
  }

  /** The open loop's total: {@code rate x duration}, at least one. */
  public long scheduledRequests() {
    return Math.max(1, Math.round(rate * duration.toNanos() / 1e9));
  }

  /** Warm-up is the same traffic, unrecorded: closed loop for burst and closed-loop runs, the same rate for open-loop ones. */
  public LoadSettings warmupRun() {
    return mode == Mode.OPEN_LOOP
      ? new LoadSettings(Mode.OPEN_LOOP, 0, concurrency, warmup, rate, Duration.ZERO, timeout, method, headers, body, eventLoops)
      : new LoadSettings(Mode.CLOSED_LOOP, 0, concurrency, warmup, 0, Duration.ZERO, timeout, method, headers, body, eventLoops);
  }
}
