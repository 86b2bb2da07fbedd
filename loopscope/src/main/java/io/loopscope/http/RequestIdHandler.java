package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;

import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * Gives every request an id and, when the access log is on, has its line written at its end ({@link AccessLog}). The id is the client's {@code X-Request-Id}
 * when it is one well-formed value (a proxy or the caller already named the request), else a new one:
 * the header is client input, so a malformed value is replaced, never echoed or logged. The id goes back
 * in the response header and, as the {@code requestId} key, into the request's log lines.
 */
public final class RequestIdHandler implements Handler<RoutingContext> {

  public static final String HEADER = "X-Request-Id";
  private static final CharSequence HEADER_NAME = HttpHeaders.createOptimized(HEADER);
  public static final String LOG_KEY = "requestId";
  public static final String ACCESS_LOGGER = AccessLog.LOGGER;
  public static final int MAX_LENGTH = 128;
  private static final Pattern WELL_FORMED = Pattern.compile("[A-Za-z0-9._:+/=-]{1," + MAX_LENGTH + "}");
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  private static final char[] PREFIX = String.format("%016x", new SecureRandom().nextLong()).toCharArray();
  private static final AtomicLong COUNTER = new AtomicLong();

  private final AccessLog.Lines accessLog;

  /** @param accessLog where this loop's access lines go; null when log.access is off */
  public RequestIdHandler(AccessLog.Lines accessLog) {
    this.accessLog = accessLog;
  }

  @Override
  public void handle(RoutingContext ctx) {
    requestStarted(ctx);
    ctx.next();
  }

  /** Names the request (and logs it at its end, when the access log is on); for a first handler that does more. */
  void requestStarted(RoutingContext ctx) {
    String id = acceptedOrNew(ctx.request().headers());
    ctx.response().putHeader(HEADER_NAME, id);
    if (accessLog != null) {
      long start = System.nanoTime();
      ctx.addEndHandler(ended -> accessLog.add(ctx, id, start));
    }
  }

  /**
   * The id of the request being served, for log lines: {@code LOG.atWarn().addKeyValue(LOG_KEY, idOf(ctx))}. Read
   * back from the response's header, set before any route ran: a copy in the context's data would cost every
   * request a map (1.4 % of the loops' samples at 100 connections) for the few that log.
   */
  public static String idOf(RoutingContext ctx) {
    return ctx.response().headers().get(HEADER_NAME);
  }

  /** The common case, no {@code X-Request-Id}, costs one header lookup and no list. */
  static String acceptedOrNew(MultiMap headers) {
    return headers.contains(HEADER_NAME) ? acceptedOrNew(headers.getAll(HEADER_NAME)) : newId();
  }

  static String acceptedOrNew(List<String> given) {
    if (given.size() == 1 && WELL_FORMED.matcher(given.get(0)).matches()) {
      return given.get(0);
    }
    return newId();
  }

  /**
   * 32 hex digits: this process's random prefix, then a counter. Unique within the process by construction
   * and across processes by the 64 random bits; no random draw, UUID or formatting per request.
   */
  static String newId() {
    long n = COUNTER.incrementAndGet();
    char[] id = new char[32];
    System.arraycopy(PREFIX, 0, id, 0, 16);
    for (int i = 31; i >= 16; i--) {
      id[i] = HEX[(int) (n & 0xf)];
      n >>>= 4;
    }
    return new String(id);
  }
}
