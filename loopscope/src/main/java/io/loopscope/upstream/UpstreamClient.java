package io.loopscope.upstream;

import io.loopscope.concurrency.Cancellation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;

/**
 * The non-blocking way to call the upstream (the article's httpx.AsyncClient): Vert.x's HTTP client,
 * keep-alive connections from one pool, a timeout on every call. A call can be cancelled mid-flight,
 * which resets the request so the upstream sees its client go away.
 */
public final class UpstreamClient {

  private final HttpClient http;
  private final UpstreamUrl target;
  private final int timeoutMs;

  public UpstreamClient(Vertx vertx, UpstreamUrl target, int timeoutMs, int maxConnections) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    HttpClientOptions options = new HttpClientOptions()
      .setDefaultHost(target.host())
      .setDefaultPort(target.port())
      .setSsl(target.ssl())
      .setKeepAlive(true)
      .setConnectTimeout(timeoutMs);
    this.http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
  }

  /** GET /posts/{id}; {@code ms} and {@code fail} are the simulator's knobs (a real upstream ignores them). */
  public Future<JsonObject> fetchPost(int id, Integer ms, boolean fail) {
    return fetchPost(id, ms, fail, null);
  }

  /** Like {@link #fetchPost(int, Integer, boolean)}; cancelling resets the in-flight request and fails the call with the cancellation. */
  public Future<JsonObject> fetchPost(int id, Integer ms, boolean fail, Cancellation cancellation) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.host()).setPort(target.port())
      .setSsl(target.ssl()).setURI(target.postUri(id, ms, fail)).setTimeout(timeoutMs);
    return http.request(request)
      .compose(sent -> send(sent, cancellation))
      .compose(response -> response.body().map(body -> UpstreamAnswers.post(response.statusCode(), body)),
        failure -> Future.failedFuture(cancellation != null && cancellation.isCancelled()
          ? cancellation.exception() : UpstreamAnswers.noAnswer(failure)));
  }

  private static Future<HttpClientResponse> send(HttpClientRequest request, Cancellation cancellation) {
    if (cancellation != null) {
      cancellation.onCancel(() -> request.reset(0, cancellation.exception()));
    }
    return request.send();
  }

  public void close() {
    http.close();
  }
}
