package io.loopscope.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;

/**
 * One request written byte for byte on a fresh connection, and everything the server sends back until it
 * closes: for requests an HTTP client library would refuse to send, or would not wait to read the answer to.
 */
public final class RawHttp {

  private RawHttp() {
  }

  public static Future<String> exchange(Vertx vertx, int port, String request) {
    Promise<String> answer = Promise.promise();
    Buffer received = Buffer.buffer();
    vertx.createNetClient().connect(port, "127.0.0.1").onComplete(connected -> {
      if (connected.failed()) {
        answer.fail(connected.cause());
        return;
      }
      var socket = connected.result();
      socket.handler(received::appendBuffer);
      socket.closeHandler(closed -> answer.tryComplete(received.toString()));
      socket.exceptionHandler(failure -> answer.tryComplete(received.toString()));
      socket.write(request);
    });
    return answer.future();
  }
}
