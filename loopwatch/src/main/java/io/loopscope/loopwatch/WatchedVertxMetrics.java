package io.loopscope.loopwatch;

import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocketOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.ClientMetrics;
import io.vertx.core.spi.metrics.DatagramSocketMetrics;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.HttpClientMetrics;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.metrics.PoolMetrics;
import io.vertx.core.spi.metrics.TCPMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;

/**
 * The metrics Vert.x was built with (or none), with every pool's metrics seen by {@link PoolWatch} first, and
 * every HTTP server's requests recorded for LoopWatch while it runs ({@link WatchedHttpServerMetrics}).
 */
final class WatchedVertxMetrics implements VertxMetrics {

  private final VertxMetrics inner;
  private final PoolWatch pools = new PoolWatch();
  private volatile boolean tracking;
  private volatile RunningWork routed;
  private final java.util.function.Consumer<Vertx> created;

  /** @param inner the metrics to delegate to; null when metrics are off */
  WatchedVertxMetrics(VertxMetrics inner) {
    this(inner, null);
  }

  /** @param created told of the Vert.x these metrics were built for, once it exists; null for nobody */
  WatchedVertxMetrics(VertxMetrics inner, java.util.function.Consumer<Vertx> created) {
    this.inner = inner;
    this.created = created;
  }

  /** Where requests routed by vertx-web are stamped, while a LoopWatch runs; else null. */
  RunningWork routed() {
    return routed;
  }

  void routed(RunningWork running) {
    routed = running;
  }

  PoolWatch pools() {
    return pools;
  }

  /** Whether requests get a {@link RequestRecord}: while a LoopWatch runs on this Vert.x. */
  boolean tracking() {
    return tracking;
  }

  void tracking(boolean on) {
    tracking = on;
  }

  @Override
  public PoolMetrics<?, ?> createPoolMetrics(String poolType, String poolName, int maxPoolSize) {
    return pools.watch(poolType, poolName, maxPoolSize,
      inner == null ? null : inner.createPoolMetrics(poolType, poolName, maxPoolSize));
  }

  @Override
  public HttpServerMetrics<?, ?, ?> createHttpServerMetrics(HttpServerOptions options, SocketAddress localAddress) {
    return new WatchedHttpServerMetrics(inner == null ? null : inner.createHttpServerMetrics(options, localAddress), this);
  }

  @Override
  public EventBusMetrics createEventBusMetrics() {
    return inner == null ? null : inner.createEventBusMetrics();
  }

  @Override
  public ClientMetrics<?, ?, ?> createClientMetrics(SocketAddress remoteAddress, String type, String namespace) {
    return inner == null ? null : inner.createClientMetrics(remoteAddress, type, namespace);
  }

  @Override
  public HttpClientMetrics<?, ?, ?> createHttpClientMetrics(HttpClientOptions options) {
    return inner == null ? null : inner.createHttpClientMetrics(options);
  }

  @Override
  public TCPMetrics<?> createNetServerMetrics(NetServerOptions options, SocketAddress localAddress) {
    return inner == null ? null : inner.createNetServerMetrics(options, localAddress);
  }

  @Override
  public TCPMetrics<?> createNetClientMetrics(NetClientOptions options) {
    return inner == null ? null : inner.createNetClientMetrics(options);
  }

  @Override
  public DatagramSocketMetrics createDatagramSocketMetrics(DatagramSocketOptions options) {
    return inner == null ? null : inner.createDatagramSocketMetrics(options);
  }

  @Override
  public void vertxCreated(Vertx vertx) {
    if (inner != null) {
      inner.vertxCreated(vertx);
    }
    if (created != null) {
      created.accept(vertx);
    }
  }

  @Override
  public boolean isMetricsEnabled() {
    return inner == null || inner.isMetricsEnabled();
  }

  @Override
  public void close() {
    if (inner != null) {
      inner.close();
    }
  }
}
