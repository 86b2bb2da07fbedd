package io.loopscope.upstream;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The article's {@code requests.get}: a blocking JDK HTTP call. Only {@code /bad-example} uses it,
 * on the event loop, on purpose, to show what that does to every other request on the loop.
 */
public final class BlockingUpstreamClient {

  private final HttpClient client;
  private final UpstreamUrl target;
  private final Duration timeout;

  public BlockingUpstreamClient(UpstreamUrl target, int timeoutMs) {
    this.target = target;
    this.timeout = Duration.ofMillis(timeoutMs);
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  /** Blocks the calling thread until the upstream answers. */
  public JsonObject fetchPostBlocking(int id, Integer ms, boolean fail) {
    HttpRequest request = HttpRequest.newBuilder(target.baseUri().resolve(target.postUri(id, ms, fail)))
      .timeout(timeout).GET().build();
    HttpResponse<byte[]> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw UpstreamAnswers.noAnswer(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw UpstreamAnswers.noAnswer(e);
    }
    return UpstreamAnswers.post(response.statusCode(), Buffer.buffer(response.body()));
  }
}
