package io.loopscope.upstream;

import io.loopscope.failures.UpstreamFailed;
import io.loopscope.failures.UpstreamTimeout;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The article's {@code requests.get}: a blocking JDK HTTP call. Only {@code /bad-example} uses it,
 * on the event loop, on purpose, to show what that does to every other request on the loop.
 */
public final class BlockingUpstreamClient {

  private final HttpClient client;
  private final UpstreamClient.UpstreamTarget target;
  private final Duration timeout;

  public BlockingUpstreamClient(UpstreamClient.UpstreamTarget target, int timeoutMs) {
    this.target = target;
    this.timeout = Duration.ofMillis(timeoutMs);
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
  }

  /** Blocks the calling thread until the upstream answers. */
  public JsonObject fetchPostBlocking(int id, Integer ms, boolean fail) {
    HttpRequest request = HttpRequest.newBuilder(target.baseUri().resolve(target.postUri(id, ms, fail)))
      .timeout(timeout).GET().build();
    HttpResponse<String> response;
    try {
      response = client.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new UpstreamTimeout("The upstream did not answer in time (upstream.timeoutMs)");
    } catch (IOException e) {
      throw new UpstreamFailed("The upstream could not be reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UpstreamFailed("Interrupted while calling the upstream");
    }
    if (response.statusCode() != 200) {
      throw new UpstreamFailed("The upstream answered " + response.statusCode());
    }
    try {
      return new JsonObject(response.body());
    } catch (DecodeException e) {
      throw new UpstreamFailed("The upstream answered with invalid JSON");
    }
  }
}
