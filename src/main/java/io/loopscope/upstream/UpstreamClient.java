package io.loopscope.upstream;

import io.loopscope.http.Problem;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.util.concurrent.TimeoutException;

/** The non-blocking way to call the upstream (the article's httpx.AsyncClient): Vert.x WebClient, keep-alive, a timeout on every call. */
public final class UpstreamClient {

  private final WebClient client;
  private final UpstreamTarget target;
  private final int timeoutMs;

  public UpstreamClient(Vertx vertx, UpstreamTarget target, int timeoutMs, int maxConnections) {
    this.target = target;
    this.timeoutMs = timeoutMs;
    this.client = WebClient.create(vertx,
      new WebClientOptions()
        .setDefaultHost(target.host())
        .setDefaultPort(target.port())
        .setSsl(target.ssl())
        .setKeepAlive(true)
        .setConnectTimeout(timeoutMs),
      new PoolOptions().setHttp1MaxSize(maxConnections));
  }

  /** GET /posts/{id}; {@code ms} and {@code fail} are the simulator's knobs (a real upstream ignores them). */
  public Future<JsonObject> fetchPost(int id, Integer ms, boolean fail) {
    return send(client.get(target.postUri(id, ms, fail)).timeout(timeoutMs));
  }

  Future<JsonObject> send(HttpRequest<Buffer> request) {
    return request.send()
      .recover(UpstreamClient::translateFailure)
      .compose(this::readJson);
  }

  private Future<JsonObject> readJson(HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) {
      return Future.failedFuture(Problem.upstreamFailed("The upstream answered " + response.statusCode()).toException());
    }
    try {
      return Future.succeededFuture(response.bodyAsJsonObject());
    } catch (DecodeException | ClassCastException e) {
      return Future.failedFuture(Problem.upstreamFailed("The upstream answered with invalid JSON").toException());
    }
  }

  static <T> Future<T> translateFailure(Throwable failure) {
    if (failure instanceof TimeoutException || failure instanceof io.netty.channel.ConnectTimeoutException) {
      return Future.failedFuture(Problem.upstreamTimeout("The upstream did not answer in time (upstream.timeoutMs)").toException());
    }
    return Future.failedFuture(Problem.upstreamFailed("The upstream could not be reached").toException());
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
