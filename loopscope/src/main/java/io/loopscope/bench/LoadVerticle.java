package io.loopscope.bench;

import io.vertx.core.AsyncResult;
import io.vertx.core.Expectation;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.http.HttpResponseHead;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

/**
 * One event loop's share of a run: {@code connections} request loops, each sending its next request
 * when the {@link Schedule} says so and recording the answer in this loop's {@link Tally}. Nothing is
 * allocated per request beyond what the client itself needs.
 */
final class LoadVerticle extends VerticleBase {

  private static final Expectation<HttpResponseHead> SUCCESS =
    HttpResponseExpectation.SC_SUCCESS.wrappingFailure((response, failure) -> new UnexpectedStatus(response.statusCode()));
  private static final long MILLI = 1_000_000;

  private final HttpRequest<Void> request;
  private final Buffer body;
  private final Schedule schedule;
  private final int connections;
  private final Tally tally = new Tally();
  private final Promise<Long> finished = Promise.promise();
  private int running;

  LoadVerticle(HttpRequest<Void> request, Buffer body, Schedule schedule, int connections) {
    this.request = request;
    this.body = body;
    this.schedule = schedule;
    this.connections = connections;
  }

  @Override
  public Future<?> start() {
    running = connections;
    for (int i = 0; i < connections; i++) {
      new Connection().next(System.nanoTime());
    }
    if (connections == 0) {
      finished.tryComplete(System.nanoTime());
    }
    return Future.succeededFuture();
  }

  /** Completes with the {@link System#nanoTime()} of this loop's last answer, once its schedule is done. */
  Future<Long> finished() {
    return finished.future();
  }

  /** Requests answered so far (any thread; for progress). */
  long completed() {
    return tally.completed();
  }

  /** A copy of what this loop measured, taken on its own thread. */
  Future<Tally> snapshot() {
    Promise<Tally> copy = Promise.promise();
    context.runOnContext(v -> copy.complete(tally.copy()));
    return copy.future();
  }

  /** One request at a time, like one keep-alive connection of wrk. */
  private final class Connection implements Handler<AsyncResult<HttpResponse<Void>>> {
    private long measuredFrom;

    void next(long now) {
      long due = schedule.next(now);
      if (due == Schedule.DONE) {
        if (--running == 0) {
          finished.tryComplete(now);
        }
        return;
      }
      sendWhenDue(due, now);
    }

    private void sendWhenDue(long due, long now) {
      if (due - now >= MILLI) {
        vertx.setTimer((due - now) / MILLI, t -> sendWhenDue(due, System.nanoTime()));
        return;
      }
      // within the timer's 1 ms resolution, go now; a late request counts from when it was due
      measuredFrom = Math.min(due, now);
      (body == null ? request.send() : request.sendBuffer(body)).expecting(SUCCESS).onComplete(this);
    }

    @Override
    public void handle(AsyncResult<HttpResponse<Void>> answer) {
      long now = System.nanoTime();
      if (answer.succeeded()) {
        tally.recordSuccess(now - measuredFrom);
      } else {
        tally.recordFailure(now - measuredFrom, answer.cause());
      }
      next(now);
    }
  }
}
