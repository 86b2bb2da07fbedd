package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/** Reads a request body up to a limit; a body over it is a 413 that names the limit's config key. */
public final class BodyLimit implements Handler<RoutingContext> {

  static final String KEY = "loopscope.bodyLimitKey";

  private final BodyHandler body;
  private final long maxBytes;
  private final String key;

  private BodyLimit(long maxBytes, String key) {
    this.body = BodyHandler.create(false).setBodyLimit(maxBytes);
    this.maxBytes = maxBytes;
    this.key = key;
  }

  static BodyLimit of(long maxBytes, String key) {
    return new BodyLimit(maxBytes, key);
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
    return key;
  }

  @Override
  public void handle(RoutingContext ctx) {
    ctx.put(KEY, key);
    body.handle(ctx);
  }
}
