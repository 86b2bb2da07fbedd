package io.loopscope.http;

import io.loopscope.overload.BodyBudget;
import io.loopscope.overload.HeapPressure;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Reads a request body up to its limit (413 naming the limit's config key) and within the body budget, in place
 * of Vert.x's BodyHandler (which buffers first and asks later). Refused before a byte of the body is kept: 503 + Retry-After while the heap is overloaded or
 * when the announced Content-Length does not fit the budget, 413 over the route's limit. A body without a
 * Content-Length draws from the budget chunk by chunk and is refused the same way once it no longer fits.
 * The reservation is released when the response ends or the connection closes; a job that reads the body
 * later holds it too ({@link Body#reservation()}).
 */
public final class BodyLimit implements Handler<RoutingContext> {

  private static final String BODY = BodyLimit.class.getName();
  static final String KEY = "loopscope.bodyLimitKey";

  /** The read body and the budget it holds. */
  record Body(ChunkedBody content, BodyBudget.Reservation reservation) {
  }

  private final BodyBudget budget;
  private final HeapPressure heap;
  private final long maxBytes;
  private final String limitKey;

  BodyLimit(BodyBudget budget, HeapPressure heap, long maxBytes, String limitKey) {
    this.budget = budget;
    this.heap = heap;
    this.maxBytes = maxBytes;
    this.limitKey = limitKey;
  }

  static Body body(RoutingContext ctx) {
    return ctx.get(BODY);
  }

  /** The config key of the limit that applied to this request's body. */
  static String keyOf(RoutingContext ctx) {
    String key = ctx.get(KEY);
    return key == null ? "http.maxBodyBytes" : key;
  }

  public long maxBytes() {
    return maxBytes;
  }

  public String key() {
    return limitKey;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, limitKey);
    HttpServerRequest request = ctx.request();
    long announced = contentLength(request);
    if (heap.overloaded()) {
      heap.countShed();
      Problems.refuseBody(ctx, Problem.saturated("The service is short of memory; bodies are refused for now", 5));
    } else if (announced > maxBytes) {
      Problems.refuseBody(ctx, tooLarge());
    } else {
      BodyBudget.Reservation reservation = budget.tryReserve(Math.max(announced, 0));
      if (reservation == null) {
        Problems.refuseBody(ctx, overBudget());
        return;
      }
      ctx.addEndHandler(done -> reservation.release());
      read(ctx, reservation, announced < 0);
    }
  }

  private void read(RoutingContext ctx, BodyBudget.Reservation reservation, boolean growing) {
    HttpServerRequest request = ctx.request();
    ChunkedBody content = new ChunkedBody();
    if (request.isEnded()) {
      ctx.put(BODY, new Body(content, reservation));
      ctx.next();
      return;
    }
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (content.length() + chunk.length() > maxBytes) {
        refused[0] = true;
        Problems.refuseBody(ctx, tooLarge());
      } else if (growing && !reservation.grow(chunk.length())) {
        refused[0] = true;
        Problems.refuseBody(ctx, overBudget());
      } else {
        content.add(chunk);
      }
    });
    request.endHandler(ended -> {
      if (!refused[0]) {
        ctx.put(BODY, new Body(content, reservation));
        ctx.next();
      }
    });
    request.exceptionHandler(failure -> refused[0] = true);
    if ("100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
      // only now that the body fits: a refused client never sends it
      ctx.response().writeContinue();
    }
    request.resume();
  }

  private Problem tooLarge() {
    return Problem.tooLarge("The request body is larger than the configured limit (" + limitKey + ")");
  }

  private Problem overBudget() {
    return Problem.saturated("Request bodies in flight already fill the body budget (http.bodyBudgetBytes)", 1);
  }

  private static long contentLength(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (header == null || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return -1;
    }
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
