package io.loopscope.http;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.blocking.LegacyUserVerticle;
import io.loopscope.db.DatabaseFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import static io.loopscope.http.Responses.json;
import static io.loopscope.http.Validation.params;

/**
 * {@code GET /legacy/users/{id}}: the same user read through blocking JDBC, which only the
 * {@link LegacyUserVerticle} workers run. The event loop sends a request over the event bus and is
 * free until the reply comes.
 */
public final class LegacyRoutes {

  private final Vertx vertx;
  private final LoopscopeConfig config;

  public LegacyRoutes(Vertx vertx, LoopscopeConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public void mount(Router router) {
    router.get("/legacy/users/:id")
      .handler(params().pathLong("id", 1, Long.MAX_VALUE).queryInt("sleepMs", 0, config.demo().maxDelayMs(), 0))
      .handler(this::getLegacyUser);
  }

  private void getLegacyUser(RoutingContext ctx) {
    long id = ctx.get("id");
    int sleepMs = ctx.get("sleepMs");
    askLegacyVerticle(id, sleepMs)
      .onSuccess(reply -> json(ctx, reply))
      .onFailure(ctx::fail);
  }

  private Future<JsonObject> askLegacyVerticle(long id, int sleepMs) {
    return vertx.eventBus()
      .<JsonObject>request(LegacyUserVerticle.ADDRESS, new JsonObject().put("id", id).put("sleepMs", sleepMs),
        new DeliveryOptions().setSendTimeout(config.legacy().timeoutMs()))
      .map(Message::body)
      .recover(failure -> Future.failedFuture(problemFor(id, failure)));
  }

  private static Throwable problemFor(long id, Throwable failure) {
    if (!(failure instanceof ReplyException reply)) {
      return failure;
    }
    return switch (reply.failureType()) {
      case TIMEOUT -> legacyTimeout();
      case NO_HANDLERS -> Problem.databaseUnavailable("The legacy backend is not running").toException();
      case RECIPIENT_FAILURE -> switch (reply.failureCode()) {
        case LegacyUserVerticle.NOT_FOUND -> Problem.notFound("No user " + id).toException();
        case LegacyUserVerticle.UNAVAILABLE -> Problem.databaseUnavailable(DatabaseFailures.UNAVAILABLE_DETAIL).toException();
        case LegacyUserVerticle.TIMEOUT -> legacyTimeout();
        default -> failure;
      };
      default -> failure;
    };
  }

  private static ProblemException legacyTimeout() {
    return Problem.of(504, "legacy-timeout", "Legacy backend timed out",
      "The legacy backend did not answer in time (legacy.timeoutMs)").toException();
  }
}
