package io.loopscope.http;

import io.loopscope.diagnostics.LoopWatchSettings;
import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import io.loopscope.bench.BaselineServer;
import io.loopscope.loopwatch.LoopWatch;
import io.loopscope.metrics.RouteBoundMetricsFactory;
import io.loopscope.overload.ConnectionLimit;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VerticleBase;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * One whole request over a real loopback connection (keep-alive, one at a time): {@code loopscope baseline}'s
 * bare {@code HttpServer} ({@code baseline}), and a router whose only route answers {@code /test/async}'s body:
 * bare ({@code empty}), behind loopscope's first handler with its metrics ({@code first-handler}: the
 * connection guard, the request id, the route-bound HTTP metrics), with LoopWatch too
 * ({@code first-handler+loopwatch}: its route stamp and route profile, the first dispatch timed), and that
 * plus the route's parameter check ({@code first-handler+loopwatch+validation}, what {@code /test/async?ms=0}
 * runs with the defaults). The difference to {@code empty} is what loopscope adds per request;
 * {@code perf/jmh FirstHandler -prof gc} gives its bytes ({@code gc.alloc.rate.norm} counts every thread:
 * server and client).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Thread)
public class FirstHandlerBenchmark {

  private static final byte[] REQUEST = "GET /test/async?ms=0 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
  private static final LoopscopeConfig.Connections LIMITS = new LoopscopeConfig.Connections(20_000, 30_000, 75_000, 1_000);

  @Param({"baseline", "empty", "first-handler", "first-handler+loopwatch", "first-handler+loopwatch+validation"})
  public String chain;

  private Vertx vertx;
  private Socket socket;
  private OutputStream out;
  private InputStream in;
  private final byte[] buffer = new byte[4096];

  /** The server of one variant, on one event loop. */
  private static final class Server extends VerticleBase {
    private final String chain;
    private final LoopWatch loopWatch;
    private HttpServer server;

    Server(String chain, LoopWatch loopWatch) {
      this.chain = chain;
      this.loopWatch = loopWatch;
    }

    @Override
    public Future<?> start() {
      Router router = Router.router(vertx);
      ConnectionGuard guard = new ConnectionGuard(vertx, LIMITS, new ConnectionLimit(LIMITS.maxConnections()));
      if (!chain.equals("empty")) {
        router.route().handler(new RequestStart(loopWatch, guard, new RequestIdHandler(null)));
      }
      var route = router.get("/test/async");
      if (chain.endsWith("+validation")) {
        route.handler(Validation.params().queryInt("ms", 0, 10_000, 100));
      }
      route.handler(ctx -> Responses.json(ctx, 200, Responses.waited(0)));
      return vertx.createHttpServer().connectionHandler(guard::accept)
        .requestHandler(router).listen(0, "127.0.0.1")
        .onSuccess(listening -> server = listening);
    }
  }

  @Setup(Level.Trial)
  public void start() throws Exception {
    VertxOptions options = new VertxOptions().setEventLoopPoolSize(1);
    VertxBuilder builder = Vertx.builder();
    LoopscopeConfig config = ConfigLoader.defaults();
    boolean watched = chain.contains("+loopwatch");
    if (chain.startsWith("first-handler")) {
      options.setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      builder.withMetrics(watched ? LoopWatch.metricsFactory(new RouteBoundMetricsFactory(registry), LoopWatchSettings.of(config.diagnostics()))
        : new RouteBoundMetricsFactory(registry));
    }
    if (watched) {
      LoopWatch.configure(options, LoopWatchSettings.of(config.diagnostics()));
    }
    vertx = builder.with(options).build();
    LoopWatch loopWatch = null;
    if (watched) {
      loopWatch = new LoopWatch(null, LoopWatchSettings.of(config.diagnostics()));
      vertx.deployVerticle(loopWatch).await(10, TimeUnit.SECONDS);
    }
    int port;
    if (chain.equals("baseline")) {
      BaselineServer baseline = new BaselineServer("127.0.0.1", 0);
      vertx.deployVerticle(baseline).await(10, TimeUnit.SECONDS);
      port = baseline.actualPort();
    } else {
      Server server = new Server(chain, loopWatch);
      vertx.deployVerticle(server).await(10, TimeUnit.SECONDS);
      port = server.server.actualPort();
    }
    socket = new Socket("127.0.0.1", port);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  @TearDown(Level.Trial)
  public void stop() throws IOException {
    socket.close();
    vertx.close().await();
  }

  /** One request written, its whole response read (the headers, then Content-Length bytes). */
  @Benchmark
  public int oneRequest() throws IOException {
    out.write(REQUEST);
    int read = 0;
    int bodyStart = -1;
    int length = -1;
    while (bodyStart < 0 || read < bodyStart + length) {
      int n = in.read(buffer, read, buffer.length - read);
      if (n < 0) {
        throw new IOException("the server closed the connection");
      }
      read += n;
      if (bodyStart < 0) {
        bodyStart = headersEnd(read);
        if (bodyStart >= 0) {
          length = contentLength(bodyStart);
        }
      }
    }
    return read;
  }

  private int headersEnd(int read) {
    for (int i = 3; i < read; i++) {
      if (buffer[i] == '\n' && buffer[i - 1] == '\r' && buffer[i - 2] == '\n' && buffer[i - 3] == '\r') {
        return i + 1;
      }
    }
    return -1;
  }

  private int contentLength(int headersEnd) {
    String headers = new String(buffer, 0, headersEnd, StandardCharsets.US_ASCII).toLowerCase();
    int at = headers.indexOf("content-length:");
    int end = headers.indexOf('\r', at);
    return Integer.parseInt(headers.substring(at + "content-length:".length(), end).trim());
  }
}
