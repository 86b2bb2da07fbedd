package io.loopscope.http;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.overload.ConnectionLimit;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
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
 * <p>Headers are timed from the moment the connection was accepted, so bytes trickled in one by one buy no time;
 * on a keep-alive connection, from the first sweep that sees bytes of its next request (until then it is
 * idle): a small handler at the head of the channel's pipeline counts reads, one field increment per read.
 * (A next request sent right behind a request with a body, before the sweep, is timed as idle: the count
 * cannot tell its bytes from the body's.)
 *
 * <p>Per request this is two field writes: no timer is armed or cancelled, no handler added. One periodic
 * sweep per server instance (every twentieth of the smallest timeout, 10 ms to 1 s) moves each connection
 * on and closes the late ones, so a timeout fires up to one sweep late, never early. The late ones are
 * answered {@value #TIMEOUTS_PER_TURN} at a time, one event-loop turn each: two thousand slow clients timed
 * out at once must not hold the loop from the others (they did, for 130 to 300 ms). Once the service is
 * stopping, every HTTP/1.x response says {@code Connection: close}, so keep-alive clients reconnect (to
 * another pod) instead of waiting on this one. Runs on the server instance's event loop only, except
 * {@link #startDraining}.
 */
final class ConnectionGuard {

  static final int TIMEOUTS_PER_TURN = 64;
  private static final String READ_WATCH = "loopscope-read-watch";
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
    Watch watch = new Watch(connection, System.nanoTime());
    watches.put(connection, watch);
    if (connection instanceof ConnectionBase base) {
      base.channel().pipeline().addFirst(READ_WATCH, new ReadWatch(watch));
    }
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
      watch.readsAtStart = watch.reads;
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
    List<Watch> late = new ArrayList<>();
    for (Watch watch : watches.values()) {
      if (watch.late(now)) {
        late.add(watch);
      }
    }
    timeOut(late, 0);
  }

  /** Closes {@code late} from {@code from} on, {@link #TIMEOUTS_PER_TURN} in this turn of the loop and the rest in the next ones. */
  private void timeOut(List<Watch> late, int from) {
    int to = Math.min(late.size(), from + TIMEOUTS_PER_TURN);
    for (int i = from; i < to; i++) {
      late.get(i).timeOut();
    }
    if (to < late.size()) {
      context.runOnContext(next -> timeOut(late, to));
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
   * request (its body may still be arriving), or idle since {@code since} once the response and the body are
   * done, until the first byte of its next request ({@code readSince}).
   */
  private final class Watch {
    private final HttpConnection connection;
    private RoutingContext serving;
    private long since;
    private boolean idle;
    private long readSince;
    private int reads;
    private int readsAtStart;
    private int readsWhenIdle;
    private boolean timedOut;

    Watch(HttpConnection connection, long acceptedAt) {
      this.connection = connection;
      this.since = acceptedAt;
    }

    /** On the loop, as bytes arrive: the sweep compares the count, so a read costs no clock. */
    void read() {
      reads++;
    }

    /** Moves it on; true when it is late (then {@link #timeOut()} it). */
    boolean late(long now) {
      if (timedOut) {
        return false; // its 408 is on the way, then it closes
      }
      long waitedMs = TimeUnit.NANOSECONDS.toMillis(now - since);
      RoutingContext ctx = serving;
      boolean late;
      if (idle) {
        if (readSince == 0 && reads != readsWhenIdle) {
          readSince = now; // its next request has begun (up to one sweep ago): its headers are timed from here
        }
        late = readSince != 0 ? TimeUnit.NANOSECONDS.toMillis(now - readSince) >= limits.headerTimeoutMs()
          : waitedMs >= limits.idleTimeoutMs();
      } else if (ctx == null) {
        late = waitedMs >= limits.headerTimeoutMs();
      } else if (!ctx.request().isEnded()) {
        late = waitedMs >= limits.bodyTimeoutMs();
      } else {
        if (ctx.response().ended()) {
          // answered since the last sweep: idle from now, so never closed early; the request is let go. A read
          // after a bodiless request's headers is its next request's: its headers are timed from now
          idle = true;
          since = now;
          readSince = reads != readsAtStart && bodiless(ctx.request()) ? now : 0;
          readsWhenIdle = reads;
          serving = null;
        }
        late = false;
      }
      timedOut = late;
      return late;
    }

    /** A late connection: 408 when its headers or body are late, closed when it was idle too long. */
    void timeOut() {
      RoutingContext ctx = serving;
      if (idle && readSince == 0) {
        connection.close();
      } else if (ctx == null) {
        answerRequestTimeout(connection);
      } else {
        bodyTimedOut(ctx);
      }
    }
  }

  private static boolean bodiless(HttpServerRequest request) {
    return !request.headers().contains(HttpHeaders.CONTENT_LENGTH) && !request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
  }

  /** The head of a connection's pipeline: tells its watch that bytes arrived, and passes them on. */
  private static final class ReadWatch extends ChannelInboundHandlerAdapter {
    private final Watch watch;

    ReadWatch(Watch watch) {
      this.watch = watch;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      watch.read();
      ctx.fireChannelRead(msg);
    }
  }
}
