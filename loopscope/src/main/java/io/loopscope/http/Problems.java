package io.loopscope.http;

import io.loopscope.failures.Failure;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes every error response as application/problem+json; the one place that turns failures into HTTP. */
public final class Problems {

  private static final Logger LOG = LoggerFactory.getLogger(Problems.class);

  private Problems() {
  }

  /** Failure handling for a whole router: route failures, unknown routes, wrong methods. */
  public static void install(Router router) {
    router.route().failureHandler(Problems::handleFailure);
    router.errorHandler(404, ctx -> send(ctx, Problem.notFound("No route for " + ctx.request().method() + " " + ctx.normalizedPath())));
    router.errorHandler(405, ctx -> send(ctx, Problem.of(405, "method-not-allowed", "Method not allowed",
      ctx.request().method() + " is not allowed on " + ctx.normalizedPath())));
    router.errorHandler(500, Problems::handleFailure);
  }

  /**
   * For requests Netty could not decode (a request line or headers over the limits, a malformed
   * request): the same problem body as everything else, then the connection closes, as Vert.x's default does.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    Problem problem;
    if (cause instanceof TooLongHttpLineException) {
      problem = Problem.of(414, "uri-too-long", "URI too long", "The request line is longer than the server accepts");
    } else if (cause instanceof TooLongHttpHeaderException) {
      problem = Problem.of(431, "headers-too-large", "Request headers too large", "The request headers are larger than the server accepts");
    } else {
      problem = Problem.of(400, "bad-request", "Bad request", "The request is not valid HTTP");
    }
    write(request.response(), problem).onComplete(done -> request.connection().close());
  }

  public static void send(RoutingContext ctx, Problem problem) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // too late for a problem body: the client sees a cut-off response
      response.reset();
      return;
    }
    write(response, problem);
  }

  /**
   * Refuses a request's body: answers, then closes the connection. The rest of the body is read and dropped
   * first (the body timeout bounds how long): closing with unread bytes would reset the connection, and the
   * client would lose the answer. A client still waiting for 100 Continue sends no body, so there is none to drop.
   */
  static void refuseBody(RoutingContext ctx, Problem problem) {
    HttpServerRequest request = ctx.request();
    boolean bodyComing = !request.isEnded() && !"100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT));
    close(ctx, problem, bodyComing ? drain(request) : Future.succeededFuture());
  }

  /** Answers and closes the connection at once (the client has had its time). */
  static void sendAndClose(RoutingContext ctx, Problem problem) {
    close(ctx, problem, Future.succeededFuture());
  }

  private static void close(RoutingContext ctx, Problem problem, Future<Void> read) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      ctx.request().connection().close();
      return;
    }
    response.putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    Future.join(write(response, problem), read).onComplete(both -> ctx.request().connection().close());
  }

  private static Future<Void> drain(HttpServerRequest request) {
    request.handler(dropped -> { });
    request.resume();
    return request.end();
  }

  private static Future<Void> write(HttpServerResponse response, Problem problem) {
    response.setStatusCode(problem.status()).putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
    if (problem.retryAfterSeconds() != null) {
      response.putHeader(HttpHeaders.RETRY_AFTER, String.valueOf(problem.retryAfterSeconds()));
    }
    return response.end(problem.toJson().toBuffer());
  }

  /** The problem body a failure answers with, for places that store it rather than send it (a failed task). */
  public static JsonObject bodyOf(Throwable failure) {
    if (failure instanceof ProblemException problem) {
      return problem.problem().toJson();
    }
    return failure instanceof Failure domain ? Problem.of(domain).toJson() : Problem.internal().toJson();
  }

  static void handleFailure(RoutingContext ctx) {
    send(ctx, problemFor(ctx));
  }

  static Problem problemFor(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ProblemException problem) {
      return problem.problem();
    }
    if (failure instanceof Failure domain) {
      return Problem.of(domain);
    }
    int status = ctx.statusCode();
    return switch (status) {
      case 400 -> Problem.of(400, "bad-request", "Bad request", "The request could not be read");
      case 404 -> Problem.notFound("No route for " + ctx.request().method() + " " + ctx.normalizedPath());
      case 413 -> Problem.tooLarge("The request body is larger than the configured limit (" + BodyLimit.keyOf(ctx) + ")");
      default -> {
        if (status >= 400 && status < 500) {
          yield Problem.of(status, "client-error", "Client error", "The request was rejected");
        }
        LOG.atError().addKeyValue(RequestIdHandler.LOG_KEY, RequestIdHandler.idOf(ctx)).setCause(failure)
          .log("Failed to serve {} {}", ctx.request().method(), ctx.normalizedPath());
        yield Problem.internal();
      }
    };
  }
}
