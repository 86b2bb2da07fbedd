package io.loopscope.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.MetricsNaming;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * HTTP server request metrics with the names, labels and descriptions vertx-micrometer gives them under our
 * options ({@code code}, {@code method}, {@code route}; {@code route} is the matched route templates joined
 * by {@code >}, empty when none matched), but with every meter bound once: per request this costs one small
 * object, three map reads with cached hashes and an array read, where vertx-micrometer builds tags and looks
 * up four meters. Connection and byte counts stay vertx-micrometer's ({@code connections}).
 */
final class RouteBoundHttpServerMetrics<S> implements HttpServerMetrics<RouteBoundHttpServerMetrics.Request, Object, S> {

  private static final int MAX_STATUS = 600;

  private final HttpServerMetrics<Object, Object, S> connections;
  private final MeterRegistry registry;
  private final MetricsNaming names;
  private final ConcurrentHashMap<HttpMethod, MethodMeters> byMethod = new ConcurrentHashMap<>();

  RouteBoundHttpServerMetrics(HttpServerMetrics<Object, Object, S> connections, MeterRegistry registry, MetricsNaming names) {
    this.connections = connections;
    this.registry = registry;
    this.names = names;
  }

  /** One request in flight: its method's meters, when it began, the routes it matched. */
  static final class Request {
    final MethodMeters method;
    final long startNanos = System.nanoTime();
    String route;
    boolean requestEnded;
    boolean responseEnded;
    boolean reset;

    Request(MethodMeters method) {
      this.method = method;
    }
  }

  @Override
  public Request requestBegin(S socketMetric, HttpRequest request) {
    MethodMeters method = byMethod.computeIfAbsent(request.method(), m -> new MethodMeters(m, registry, names));
    method.active.increment();
    return new Request(method);
  }

  @Override
  public void requestRouted(Request request, String route) {
    if (route != null) {
      request.route = request.route == null ? route : request.route + '>' + route;
    }
  }

  @Override
  public void requestEnd(Request request, HttpRequest httpRequest, long bytesRead) {
    request.method.requestBytes.record(bytesRead);
    request.requestEnded = true;
    if (!request.reset && request.responseEnded) {
      request.method.active.decrement();
    }
  }

  @Override
  public void requestReset(Request request) {
    request.method.resets().increment();
    request.method.active.decrement();
    request.reset = true;
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    ResponseMeters meters = request.method.forRoute(request.route == null ? "" : request.route).forStatus(response.statusCode());
    meters.requests.increment();
    meters.responseTime.record(System.nanoTime() - request.startNanos, TimeUnit.NANOSECONDS);
    meters.responseBytes.record(bytesWritten);
    request.responseEnded = true;
    if (!request.reset && request.requestEnded) {
      request.method.active.decrement();
    }
  }

  @Override
  public S connected(SocketAddress remoteAddress, String remoteName) {
    return connections.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(S socketMetric, SocketAddress remoteAddress) {
    connections.disconnected(socketMetric, remoteAddress);
  }

  @Override
  public void bytesRead(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    connections.bytesRead(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void bytesWritten(S socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    connections.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
  }

  @Override
  public void exceptionOccurred(S socketMetric, SocketAddress remoteAddress, Throwable t) {
    connections.exceptionOccurred(socketMetric, remoteAddress, t);
  }

  @Override
  public Object connected(S socketMetric, Request request, ServerWebSocket webSocket) {
    return connections.connected(socketMetric, null, webSocket);
  }

  @Override
  public void disconnected(Object webSocketMetric) {
    connections.disconnected(webSocketMetric);
  }

  @Override
  public void close() {
    connections.close();
  }

  /** The meters of one method: in flight, request sizes, resets, and its routes. */
  static final class MethodMeters {
    private final MeterRegistry registry;
    private final MetricsNaming names;
    final String method;
    final LongAdder active = new LongAdder();
    final DistributionSummary requestBytes;
    private volatile Counter resets;
    private final ConcurrentHashMap<String, RouteMeters> byRoute = new ConcurrentHashMap<>();

    MethodMeters(HttpMethod httpMethod, MeterRegistry registry, MetricsNaming names) {
      this.registry = registry;
      this.names = names;
      this.method = httpMethod.name();
      Gauge.builder(names.getHttpActiveRequests(), active, LongAdder::doubleValue)
        .description("Number of requests being processed").tag("method", method).register(registry);
      requestBytes = DistributionSummary.builder(names.getHttpRequestBytes())
        .description("Size of requests in bytes").tag("method", method).register(registry);
    }

    /** Registered at the first reset, as vertx-micrometer does, so the series appears only once there is one. */
    Counter resets() {
      if (resets == null) {
        resets = Counter.builder(names.getHttpRequestResetsCount())
          .description("Number of request resets").tag("method", method).register(registry);
      }
      return resets;
    }

    RouteMeters forRoute(String route) {
      RouteMeters meters = byRoute.get(route);
      return meters != null ? meters : byRoute.computeIfAbsent(route, r -> new RouteMeters(this, r));
    }
  }

  /** One method and route's meters, one set per status code, made on first use. */
  static final class RouteMeters {
    private final MethodMeters method;
    private final String route;
    private final AtomicReferenceArray<ResponseMeters> byStatus = new AtomicReferenceArray<>(MAX_STATUS);

    RouteMeters(MethodMeters method, String route) {
      this.method = method;
      this.route = route;
    }

    ResponseMeters forStatus(int status) {
      if (status < 0 || status >= MAX_STATUS) {
        return new ResponseMeters(method, route, status);
      }
      ResponseMeters meters = byStatus.get(status);
      if (meters == null) {
        // two threads may both build it: the registry hands both the same meters
        meters = new ResponseMeters(method, route, status);
        byStatus.set(status, meters);
      }
      return meters;
    }
  }

  /** The three meters a response updates. */
  static final class ResponseMeters {
    final Counter requests;
    final Timer responseTime;
    final DistributionSummary responseBytes;

    ResponseMeters(MethodMeters methodMeters, String route, int status) {
      MeterRegistry registry = methodMeters.registry;
      MetricsNaming names = methodMeters.names;
      String method = methodMeters.method;
      String code = String.valueOf(status);
      requests = Counter.builder(names.getHttpRequestsCount()).description("Number of processed requests")
        .tag("code", code).tag("method", method).tag("route", route).register(registry);
      responseTime = Timer.builder(names.getHttpResponseTime()).description("Request processing time")
        .tag("code", code).tag("method", method).tag("route", route).register(registry);
      responseBytes = DistributionSummary.builder(names.getHttpResponseBytes()).description("Size of responses in bytes")
        .tag("code", code).tag("method", method).tag("route", route).register(registry);
    }
  }
}
