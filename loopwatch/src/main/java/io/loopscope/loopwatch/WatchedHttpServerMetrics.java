package io.loopscope.loopwatch;

import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

/**
 * An HTTP server's metrics (vertx-micrometer's, or none when metrics are off) with LoopWatch's request
 * records in front: while LoopWatch runs, each request's metric is a {@link RequestRecord} that carries the
 * inner metric, and Vert.x reports the response's end (or the request's reset) to it on the connection's
 * loop. That costs a call per event instead of a context end handler per request, which registers three
 * response handlers, each under the connection's lock.
 */
@SuppressWarnings({"unchecked", "rawtypes"})
final class WatchedHttpServerMetrics implements HttpServerMetrics<Object, Object, Object> {

  private final HttpServerMetrics inner;
  private final WatchedVertxMetrics watched;

  /** @param inner the server's metrics to delegate to; null when metrics are off */
  WatchedHttpServerMetrics(HttpServerMetrics<?, ?, ?> inner, WatchedVertxMetrics watched) {
    this.inner = inner;
    this.watched = watched;
  }

  @Override
  public Object requestBegin(Object socketMetric, HttpRequest request) {
    Object metric = inner == null ? null : inner.requestBegin(socketMetric, request);
    return watched.tracking() ? new RequestRecord(metric, request.method().name()) : metric;
  }

  @Override
  public void requestEnd(Object requestMetric, HttpRequest request, long bytesRead) {
    if (inner != null) {
      inner.requestEnd(innerOf(requestMetric), request, bytesRead);
    }
  }

  @Override
  public void requestReset(Object requestMetric) {
    if (inner != null) {
      inner.requestReset(innerOf(requestMetric));
    }
    ended(requestMetric);
  }

  @Override
  public void responseBegin(Object requestMetric, HttpResponse response) {
    if (inner != null) {
      inner.responseBegin(innerOf(requestMetric), response);
    }
  }

  @Override
  public Object responsePushed(Object socketMetric, HttpMethod method, String uri, HttpResponse response) {
    return inner == null ? null : inner.responsePushed(socketMetric, method, uri, response);
  }

  @Override
  public void responseEnd(Object requestMetric, HttpResponse response, long bytesWritten) {
    if (inner != null) {
      inner.responseEnd(innerOf(requestMetric), response, bytesWritten);
    }
    ended(requestMetric);
  }

  @Override
  public Object connected(Object socketMetric, Object requestMetric, ServerWebSocket serverWebSocket) {
    return inner == null ? null : inner.connected(socketMetric, innerOf(requestMetric), serverWebSocket);
  }

  @Override
  public void disconnected(Object serverWebSocketMetric) {
    if (inner != null) {
      inner.disconnected(serverWebSocketMetric);
    }
  }

  @Override
  public void requestRouted(Object requestMetric, String route) {
    RunningWork running = watched.routed();
    if (running != null && route != null && requestMetric instanceof RequestRecord record && !record.begun()) {
      // no LoopWatch handler on this router: vertx-web's own call names the route the request is dispatched to
      record.routed(route);
      running.record(VertxInternals.dispatchStart(Thread.currentThread()), record);
    }
    if (inner != null) {
      inner.requestRouted(innerOf(requestMetric), route);
    }
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    return inner == null ? null : inner.connected(remoteAddress, remoteName);
  }

  @Override
  public void disconnected(Object socketMetric, SocketAddress remoteAddress) {
    if (inner != null) {
      inner.disconnected(socketMetric, remoteAddress);
    }
  }

  @Override
  public void bytesRead(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (inner != null) {
      inner.bytesRead(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void bytesWritten(Object socketMetric, SocketAddress remoteAddress, long numberOfBytes) {
    if (inner != null) {
      inner.bytesWritten(socketMetric, remoteAddress, numberOfBytes);
    }
  }

  @Override
  public void exceptionOccurred(Object socketMetric, SocketAddress remoteAddress, Throwable t) {
    if (inner != null) {
      inner.exceptionOccurred(socketMetric, remoteAddress, t);
    }
  }

  @Override
  public void close() {
    if (inner != null) {
      inner.close();
    }
  }

  private static Object innerOf(Object requestMetric) {
    return requestMetric instanceof RequestRecord record ? record.innerMetric : requestMetric;
  }

  private static void ended(Object requestMetric) {
    if (requestMetric instanceof RequestRecord record) {
      record.responseEnded();
    }
  }
}
