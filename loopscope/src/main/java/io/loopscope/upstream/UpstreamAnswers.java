package io.loopscope.upstream;

import io.loopscope.failures.Failure;
import io.loopscope.failures.UpstreamFailed;
import io.loopscope.failures.UpstreamTimeout;
import io.netty.channel.ConnectTimeoutException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpTimeoutException;
import java.util.concurrent.TimeoutException;

/** The one reading of what the upstream said, for the non-blocking and the blocking client alike. */
final class UpstreamAnswers {

  static final String TIMED_OUT = "The upstream did not answer in time (upstream.timeoutMs)";
  static final String UNREACHABLE = "The upstream could not be reached";
  static final String INTERRUPTED = "Interrupted while calling the upstream";

  private UpstreamAnswers() {
  }

  /** A post, from a 200 with a JSON object; anything else is an {@link UpstreamFailed}. */
  static JsonObject post(int status, Buffer body) {
    if (status != 200) {
      throw new UpstreamFailed("The upstream answered " + status);
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new UpstreamFailed("The upstream answered with invalid JSON");
    }
  }

  /** A call that got no answer: timed out (connect or response), interrupted, or unreachable. */
  static Failure noAnswer(Throwable failure) {
    if (failure instanceof TimeoutException || failure instanceof ConnectTimeoutException
      || failure instanceof HttpTimeoutException) {
      return new UpstreamTimeout(TIMED_OUT);
    }
    if (failure instanceof InterruptedException) {
      return new UpstreamFailed(INTERRUPTED);
    }
    return new UpstreamFailed(UNREACHABLE);
  }
}
