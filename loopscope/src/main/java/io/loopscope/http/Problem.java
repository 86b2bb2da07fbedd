package io.loopscope.http;

import io.loopscope.failures.Conflict;
import io.loopscope.failures.DatabaseUnavailable;
import io.loopscope.failures.Failure;
import io.loopscope.failures.IdempotencyKeyReused;
import io.loopscope.failures.InvalidInput;
import io.loopscope.failures.NotFound;
import io.loopscope.failures.Saturated;
import io.loopscope.failures.TooLarge;
import io.loopscope.failures.UpstreamFailed;
import io.loopscope.failures.UpstreamTimeout;
import io.vertx.core.json.JsonObject;

/**
 * One RFC 9457 problem: {@code type}, {@code title}, {@code status}, {@code detail}, and for
 * validation errors the offending {@code field}. {@code retryAfterSeconds} becomes a Retry-After header;
 * {@code extensions} are extra members (RFC 9457 section 3.2), e.g. which calls of a fan-out failed.
 */
public record Problem(String type, String title, int status, String detail, String field, Integer retryAfterSeconds,
                      JsonObject extensions) {

  public Problem(String type, String title, int status, String detail, String field, Integer retryAfterSeconds) {
    this(type, title, status, detail, field, retryAfterSeconds, null);
  }

  /** This problem with one more extension member. */
  public Problem with(String name, Object value) {
    JsonObject more = extensions == null ? new JsonObject() : extensions.copy();
    return new Problem(type, title, status, detail, field, retryAfterSeconds, more.put(name, value));
  }

  public static final String MEDIA_TYPE = "application/problem+json";
  static final String TYPE_PREFIX = "urn:loopscope:problem:";

  public static Problem of(int status, String slug, String title, String detail) {
    return new Problem(TYPE_PREFIX + slug, title, status, detail, null, null);
  }

  public static Problem invalidParameter(String field, String detail) {
    return new Problem(TYPE_PREFIX + "invalid-parameter", "Invalid parameter", 400, detail, field, null);
  }

  public static Problem invalidBody(String field, String detail) {
    return new Problem(TYPE_PREFIX + "invalid-body", "Invalid request body", 400, detail, field, null);
  }

  public static Problem notFound(String detail) {
    return of(404, "not-found", "Not found", detail);
  }

  public static Problem tooLarge(String detail) {
    return of(413, "payload-too-large", "Payload too large", detail);
  }

  /** A bounded pool or queue is full: the client should come back later. */
  public static Problem saturated(String detail, int retryAfterSeconds) {
    return new Problem(TYPE_PREFIX + "saturated", "Service saturated", 503, detail, null, retryAfterSeconds);
  }

  /** PostgreSQL cannot be reached or did not answer within db.timeoutMs. */
  public static Problem databaseUnavailable(String detail) {
    return new Problem(TYPE_PREFIX + "database-unavailable", "Database unavailable", 503, detail, null, 2);
  }

  public static Problem upstreamFailed(String detail) {
    return of(502, "upstream-failed", "Upstream failed", detail);
  }

  public static Problem upstreamTimeout(String detail) {
    return of(504, "upstream-timeout", "Upstream timed out", detail);
  }

  /** The one mapping from domain failures to statuses and problem bodies. */
  public static Problem of(Failure failure) {
    String detail = failure.detail();
    if (failure instanceof Saturated saturated) {
      return saturated(detail, saturated.retryAfterSeconds());
    } else if (failure instanceof DatabaseUnavailable) {
      return databaseUnavailable(detail);
    } else if (failure instanceof UpstreamTimeout) {
      return upstreamTimeout(detail);
    } else if (failure instanceof UpstreamFailed) {
      return upstreamFailed(detail);
    } else if (failure instanceof NotFound) {
      return notFound(detail);
    } else if (failure instanceof TooLarge) {
      return tooLarge(detail);
    } else if (failure instanceof InvalidInput invalid) {
      return invalid.source() == InvalidInput.Source.BODY
        ? invalidBody(invalid.field(), detail)
        : invalidParameter(invalid.field(), detail);
    } else if (failure instanceof Conflict conflict) {
      return of(409, conflict.slug(), conflict.title(), detail);
    } else if (failure instanceof IdempotencyKeyReused) {
      return of(422, "idempotency-key-reused", "Idempotency-Key reused", detail);
    }
    return internal();
  }

  public static Problem internal() {
    return of(500, "internal", "Internal error", "The request failed; the log has the details");
  }

  public ProblemException toException() {
    return new ProblemException(this);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("type", type).put("title", title).put("status", status).put("detail", detail);
    if (field != null) {
      json.put("field", field);
    }
    if (extensions != null) {
      extensions.forEach(member -> json.put(member.getKey(), member.getValue()));
    }
    return json;
  }
}
