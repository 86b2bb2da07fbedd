package io.loopscope.http;

import io.loopscope.app.LoopscopeConfig;
import io.loopscope.overload.ConnectionLimit;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One server instance's guard over its connections; Vert.x 5.0.7 has idle timeouts but nothing for
 * "headers not complete" or "body not complete". Past the connection limit, a new connection is closed as
 * soon as it is accepted: answering it 503 would mean reading its headers, which a slow client never
 * finishes, and every open connection holds a file descriptor. An accepted one must send its headers
 * within the header timeout (else 408 and close), a body within the body timeout (else 408 and close),
 * and between keep-alive requests it may stay idle for the idle timeout (then it is closed).
 * Runs on the server instance's event loop only.
 */
final class ConnectionGuard {

  private static final byte[] REQUEST_TIMEOUT = Problem.of(408, "request-timeout", "Request timeout",
    "The request headers did not arrive in time").toJson().toBuffer().getBytes();

  private final Vertx vertx;
  private final LoopscopeConfig.Connections limits;
  private final ConnectionLimit open;
  private final Map<HttpConnection, Watch> watches = new IdentityHashMap<>();

  ConnectionGuard(Vertx vertx, LoopscopeConfig.Connections limits, ConnectionLimit open) {
    this.vertx = vertx;
    this.limits = limits;
    this.open = open;
  }

  /** For {@code HttpServer.connectionHandler}. */
  void accept(HttpConnection connection) {
    if (!open.tryOpen()) {
      connection.close();
      return;
    }
    Watch watch = new Watch();
    watches.put(connection, watch);
    connection.closeHandler(closed -> {
      watch.closed();
      watches.remove(connection);
      open.closed();
    });
    watch.arm(limits.headerTimeoutMs(), () -> answerRequestTimeout(connection));
  }

  /** The router's first handler: the headers are complete; now the body, then the wait for the next request. */
  Handler<RoutingContext> requestStarted() {
    return ctx -> {
      HttpServerRequest request = ctx.request();
      Watch watch = watches.get(request.connection());
      if (watch != null) {
        watch.cancel();
        Future<Void> read = Future.succeededFuture();
        if (hasBody(request) && !request.isEnded()) {
          Runnable bodyTimedOut = () -> bodyTimedOut(ctx);
          watch.arm(limits.bodyTimeoutMs(), bodyTimedOut);
          read = request.end().andThen(ended -> watch.cancel(bodyTimedOut));
        }
        // idle once both are over: a response sent early (a refused body) leaves the body timeout running
        Promise<Void> answered = Promise.promise();
        ctx.addEndHandler(done -> answered.tryComplete());
        Future.join(read, answered.future()).onComplete(both -> watch.arm(limits.idleTimeoutMs(),
          () -> request.connection().close()));
      }
      ctx.next();
    };
  }

  private static boolean hasBody(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || (length != null && !"0".equals(length.trim()));
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

  /** The one timer a connection has at a time: headers, body or idle. */
  private final class Watch {
    private long timer = -1;
    private Runnable armedFor;
    private boolean closed;

    void arm(long ms, Runnable onTimeout) {
      cancel();
      if (!closed) {
        armedFor = onTimeout;
        timer = vertx.setTimer(ms, fired -> {
          timer = -1;
          onTimeout.run();
        });
      }
    }

    /** Cancels the timer if it is still the one armed with {@code onTimeout}. */
    void cancel(Runnable onTimeout) {
      if (armedFor == onTimeout) {
        cancel();
      }
    }

    void cancel() {
      if (timer != -1) {
        vertx.cancelTimer(timer);
        timer = -1;
      }
    }

    void closed() {
      closed = true;
      cancel();
    }
  }
}
