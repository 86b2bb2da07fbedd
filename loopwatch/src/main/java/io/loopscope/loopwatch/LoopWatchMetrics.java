package io.loopscope.loopwatch;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;

/**
 * LoopWatch's Prometheus series: stalls ({@code loopscope_blocked_total}, {@code loopscope_blocked_seconds}),
 * loop busy time per route ({@code loopscope_route_loop_busy_seconds_total}, read from the route profile when
 * scraped, nothing per request) and pool saturation episodes ({@code loopscope_pool_saturated_total}). Pool
 * queue depth and time are vertx-micrometer's own {@code vertx_pool_queue_pending} and
 * {@code vertx_pool_queue_time_seconds}. Every method is a no-op when metrics are off.
 */
final class LoopWatchMetrics {

  private final MeterRegistry registry;
  private final String prefix;
  private final Set<RouteProfile.Entry> routesBound = ConcurrentHashMap.newKeySet();

  /**
   * @param registry null when metrics are off
   * @param prefix the first part of every name ({@link LoopWatchOptions#getMetricPrefix()})
   */
  LoopWatchMetrics(MeterRegistry registry, String prefix) {
    this.registry = registry;
    this.prefix = prefix;
  }

  void stallStarted(BlockedReport report) {
    if (registry != null) {
      Counter.builder(prefix + ".blocked").description("Stalls reported by LoopWatch")
        .tag("route", report.work().name()).tag("pool", report.pool()).register(registry).increment();
    }
  }

  void stallEnded(BlockedReport report) {
    if (registry != null) {
      DistributionSummary.builder(prefix + ".blocked.seconds").baseUnit("seconds")
        .description("How long the stalls LoopWatch reported lasted")
        .serviceLevelObjectives(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)
        .register(registry).record(report.durationNanos() / 1e9);
    }
  }

  void processPaused(long nanos) {
    if (registry != null) {
      Timer.builder(prefix + ".process.pause")
        .description("Pauses of the whole process (GC, safepoints, CPU throttling) seen by LoopWatch's pause clock")
        .register(registry).record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void poolSaturated(String pool, String route) {
    if (registry != null) {
      Counter.builder(prefix + ".pool.saturated").description("Pool saturation episodes LoopWatch warned of")
        .tag("pool", pool).tag("route", route).register(registry).increment();
    }
  }

  /** On the watchdog: each route the profile knows gets its busy-time counter once. */
  void bindRoutes(RouteProfile profile) {
    if (registry == null) {
      return;
    }
    for (RouteProfile.Entry entry : profile.entries()) {
      if (routesBound.add(entry)) {
        FunctionCounter.builder(prefix + ".route.loop.busy", profile, routes -> routes.busySecondsSinceStart(entry))
          .baseUnit("seconds").description("Time the route's requests ran on an event loop (LoopWatch's route profile)")
          .tag("route", entry.name).tag("kind", entry.kind).register(registry);
      }
    }
  }
}
