package io.loopscope.testing;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.util.List;
import java.util.stream.IntStream;

/** n concurrent GETs, all sent at once (the article's gather of client.get calls), and how long they took together. */
public final class Burst {

  public record Result(List<HttpResponse<Buffer>> responses, long elapsedMs) {
    public long count(int status) {
      return responses.stream().filter(response -> response.statusCode() == status).count();
    }
  }

  private Burst() {
  }

  public static Future<Result> get(WebClient client, int n, String uri) {
    long start = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> calls = IntStream.range(0, n)
      .mapToObj(i -> client.get(uri).timeout(60_000).send())
      .toList();
    return Future.all(calls).map(all -> new Result(all.list(), (System.nanoTime() - start) / 1_000_000));
  }
}
