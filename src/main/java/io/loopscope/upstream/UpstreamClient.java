package io.loopscope.upstream;

import io.loopscope.failures.UpstreamFailed;
import io.loopscope.failures.UpstreamTimeout;
import io.loopscope.concurrency.Cancellation;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.util.concurrent.TimeoutException;

/**
 * The non-blocking way to call the upstream (the article's httpx.AsyncClient): keep-alive connections
 * from one pool, a timeout on every call. {@link #fetchPost(int, Integer, boolean)} is the plain
 * WebClient call; {@link #fetchPost(int, Integer, boolean, Cancellation)} can be cancelled mid-flight,
 * which resets the request so the upstream sees its client go away.
 */
public final class UpstreamClient {

  private final HttpClient http;
  private final WebClient client;
  private final UpstreamTarget target;
  private final int timeoutMs;

  public UpstreamClient(Vertx vertx, UpstreamTarget target, int timeoutMs, int maxConnections) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    WebClientOptions options = new WebClientOptions()
      .setDefaultHost(target.host())
      .setDefaultPort(target.port())
      .setSsl(target.ssl())
      .setKeepAlive(true)
      .setConnectTimeout(timeoutMs);
    this.http = vertx.createHttpClient(options, new PoolOptions().setHttp1MaxSize(maxConnections));
    this.client = WebClient.wrap(http, options);
  }

  /** GET /posts/{id}; {@code ms} and {@code fail} are the simulator's knobs (a real upstream ignores them). */
  public Future<JsonObject> fetchPost(int id, Integer ms, boolean fail) {
    return client.get(target.postUri(id, ms, fail)).timeout(timeoutMs).send()
      .recover(UpstreamClient::translateFailure)
      .compose(response -> readJson(response.statusCode(), response.body()));
  }

  /** Like {@link #fetchPost(int, Integer, boolean)}; cancelling resets the in-flight request and fails the call with the cancellation. */
  public Future<JsonObject> fetchPost(int id, Integer ms, boolean fail, Cancellation cancellation) {
    RequestOptions request = new RequestOptions().setMethod(HttpMethod.GET).setHost(target.host()).setPort(target.port())
      .setSsl(target.ssl()).setURI(target.postUri(id, ms, fail)).setTimeout(timeoutMs);
    return http.request(request)
      .compose(sent -> sendCancellable(sent, cancellation))
      .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body)))
      .recover(failure -> cancellation.isCancelled() ? Future.failedFuture(cancellation.exception()) : translateFailure(failure))
      .compose(answer -> readJson(answer.status(), answer.body()));
  }

  private record Answer(int status, Buffer body) {
  }

  private static Future<HttpClientResponse> sendCancellable(HttpClientRequest request, Cancellation cancellation) {
    cancellation.onCancel(() -> request.reset(0, cancellation.exception()));
    return request.send();
  }

  private static Future<JsonObject> readJson(int status, Buffer body) {
    if (status != 200) {
      return Future.failedFuture(new UpstreamFailed("The upstream answered " + status));
    }
    try {
      return Future.succeededFuture(new JsonObject(body));
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(new UpstreamFailed("The upstream answered with invalid JSON"));
    }
  }

  static <T> Future<T> translateFailure(Throwable failure) {
    if (failure instanceof TimeoutException || failure instanceof io.netty.channel.ConnectTimeoutException) {
      return Future.failedFuture(new UpstreamTimeout("The upstream did not answer in time (upstream.timeoutMs)"));
    }
    return Future.failedFuture(new UpstreamFailed("The upstream could not be reached"));
  }

  public void close() {
    client.close();
  }

  /** Where the upstream lives, from upstream.baseUrl. */
  public record UpstreamTarget(String host, int port, boolean ssl, String pathPrefix) {

    public static UpstreamTarget parse(String baseUrl) {
      URI uri = URI.create(baseUrl);
      boolean ssl = "https".equals(uri.getScheme());
      int port = uri.getPort() > 0 ? uri.getPort() : ssl ? 443 : 80;
      String prefix = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
      return new UpstreamTarget(uri.getHost(), port, ssl, prefix);
    }

    public String postUri(int id, Integer ms, boolean fail) {
      StringBuilder uri = new StringBuilder(pathPrefix).append("/posts/").append(id);
      char sep = '?';
      if (ms != null) {
        uri.append(sep).append("ms=").append(ms);
        sep = '&';
      }
      if (fail) {
        uri.append(sep).append("fail=true");
      }
      return uri.toString();
    }

    public URI baseUri() {
      return URI.create((ssl ? "https" : "http") + "://" + host + ":" + port);
    }
  }
}
