package io.loopscope.overload;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** The body budget in use and the requests shed, on /metrics. */
public final class OverloadMetrics {

  private OverloadMetrics() {
  }

  /** Does nothing when {@code registry} is null (metrics off). */
  public static void register(MeterRegistry registry, BodyBudget budget, HeapPressure heap, ConnectionLimit apiConnections) {
    if (registry == null) {
      return;
    }
    Gauge.builder("loopscope.body.budget.used", budget, BodyBudget::inUseBytes).baseUnit("bytes")
      .description("Bytes of request bodies in flight (http.bodyBudgetBytes)").register(registry);
    Gauge.builder("loopscope.body.budget.limit", budget, BodyBudget::limitBytes).baseUnit("bytes")
      .description("The body budget").register(registry);
    FunctionCounter.builder("loopscope.requests.shed", budget, BodyBudget::refused).tag("reason", "body-budget")
      .description("Requests with bodies answered 503 to protect the heap").register(registry);
    FunctionCounter.builder("loopscope.requests.shed", heap, HeapPressure::shed).tag("reason", "heap")
      .description("Requests with bodies answered 503 to protect the heap").register(registry);
    Gauge.builder("loopscope.heap.overloaded", heap, h -> h.overloaded() ? 1 : 0)
      .description("1 while the old generation stays above http.shedHeapPercent after GCs").register(registry);
    Gauge.builder("loopscope.connections.open", apiConnections, ConnectionLimit::open).tag("server", "api")
      .description("Connections open to the server (http.maxConnections)").register(registry);
    FunctionCounter.builder("loopscope.connections.refused", apiConnections, ConnectionLimit::refused).tag("server", "api")
      .description("Connections closed at once because the server had http.maxConnections open").register(registry);
  }
}
