package io.loopscope.http;

import io.loopscope.app.LoopscopeConfig;
import io.loopscope.overload.ConnectionLimit;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One server instance's guard over its connections; Vert.x 5.0.7 has idle timeouts but nothing for
 * "headers not complete" or "body not complete". Past the connection limit, a new connection is closed as
 * soon as it is accepted: answering it 503 would mean reading its headers, which a slow client never
 * finishes, and every open connection holds a file descriptor. An accepted one must send its headers
 * within the header timeout (else 408 and close), a body within the body timeout (else 408 and close),
 * and between keep-alive requests it may stay idle for the idle timeout (then it is closed).
 *
 * <p>Per request this is two field writes: no timer is armed or cancelled, no handler added. One periodic
 * sweep per server instance (every twentieth of the smallest timeout, 10 ms to 1 s) moves each connection
 * on and closes the late ones, so a timeout fires up to one sweep late, never early. Once the service is
 * stopping, every HTTP/1.x response says {@code Connection: close}, so keep-alive clients reconnect (to
 * another pod) instead of waiting on this one. Runs on the server instance's event loop only, except
 * {@link #startDraining}.
 */
final class ConnectionGuard {

  private static final byte[] REQUEST_TIMEOUT = Problem.of(408, "request-timeout", "Request timeout",
    "The request headers did not arrive in time").toJson().toBuffer().getBytes();

  private final Context context;
  private final LoopscopeConfig.Connections limits;
  private final ConnectionLimit open;
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();
  private final Handler<RoutingContext> firstHandler = ctx -> {
    requestStarted(ctx);
    ctx.next();
  };
  private volatile boolean draining;

  /** Call on the server instance's context: the sweep runs there. */
  ConnectionGuard(Vertx vertx, LoopscopeConfig.Connections limits, ConnectionLimit open) {
    this.context = vertx.getOrCreateContext();
    this.limits = limits;
    this.open = open;
    vertx.setPeriodic(sweepMs(limits), id -> sweep(System.nanoTime()));
  }

  static long sweepMs(LoopscopeConfig.Connections limits) {
    long smallest = Math.min(limits.headerTimeoutMs(), Math.min(limits.bodyTimeoutMs(), limits.idleTimeoutMs()));
    return Math.max(10, Math.min(1000, smallest / 20));
  }

  /** For {@code HttpServer.connectionHandler}. */
  void accept(HttpConnection connection) {
    if (!open.tryOpen()) {
      connection.close();
      return;
    }
    watches.put(connection, new Watch(connection, System.nanoTime()));
    connection.closeHandler(closed -> {
      watches.remove(connection);
      open.closed();
    });
  }

  /** A router's first handler: {@link #requestStarted(RoutingContext)}, then the next handler. */
  Handler<RoutingContext> requestStarted() {
    return firstHandler;
  }

  /** The headers of {@code ctx}'s request are complete: now its body, then the wait for the next request. */
  void requestStarted(RoutingContext ctx) {
    Watch watch = watches.get(ctx.request().connection());
    if (watch != null) {
      watch.serving = ctx;
      watch.since = System.nanoTime();
      watch.idle = false;
    }
    if (draining) {
      ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
  }

  /** From now on, responses ask clients to close their connections; so do those being served now. */
  void startDraining() {
    draining = true;
    context.runOnContext(now -> watches.values().forEach(watch -> {
      RoutingContext ctx = watch.serving;
      if (ctx != null && !ctx.response().headWritten()) {
        ctx.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
      }
    }));
  }

  private void sweep(long now) {
    for (Watch watch : List.copyOf(watches.values())) {
      watch.check(now);
    }
  }

  private static void bodyTimedOut(RoutingContext ctx) {
    if (ctx.response().headWritten()) {
      ctx.request().connection().close();
      return;
    }
    Problems.sendAndClose(ctx, Problem.of(408, "request-timeout", "Request timeout", "The request body did not arrive in time"));
  }

  /**
   * No request exists yet to answer through, so the 408 goes straight to the channel (a Vert.x internal, the
   * one place we use one); the connection closes once it is written.
   */
  private static void answerRequestTimeout(HttpConnection connection) {
    if (!(connection instanceof ConnectionBase base)) {
      connection.close();
      return;
    }
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_TIMEOUT,
      Unpooled.wrappedBuffer(REQUEST_TIMEOUT));
    response.headers().set(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
      .set(HttpHeaders.CONTENT_LENGTH, REQUEST_TIMEOUT.length)
      .set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    base.channel().writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Where one connection stands: waiting for its first request's headers ({@code serving} null), serving a
   * request (its body may still be arriving), or idle since {@code since} once the response and the body are done.
   */
  private final class Watch {
    private final HttpConnection connection;
    private RoutingContext serving;
    private long since;
    private boolean idle;
    private boolean timedOut;

    Watch(HttpConnection connection, long acceptedAt) {
      this.connection = connection;
      this.since = acceptedAt;
    }

    void check(long now) {
      if (timedOut) {
        return; // its 408 is on the way, then it closes
      }
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(now - since);
      RoutingContext ctx = serving;
      if (idle) {
        if (waitedMs >= limits.idleTimeoutMs()) {
          connection.close();
        }
      } else if (ctx == null) {
        if (waitedMs >= limits.headerTimeoutMs()) {
          timedOut = true;
          answerRequestTimeout(connection);
        }
      } else if (!ctx.request().isEnded()) {
        if (waitedMs >= limits.bodyTimeoutMs()) {
          timedOut = true;
          bodyTimedOut(ctx);
        }
      } else if (ctx.response().ended()) {
        // answered since the last sweep: idle from now, so never closed early; the request is let go
        idle = true;
        since = now;
        serving = null;
      }
    }
  }
}
