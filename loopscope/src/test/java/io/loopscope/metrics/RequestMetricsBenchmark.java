package io.loopscope.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * One HTTP request's metrics, as Vert.x reports them to the metrics SPI (begin, routed, request end,
 * response end), through vertx-micrometer's HTTP server metrics and through {@link RouteBoundHttpServerMetrics},
 * with the labels loopscope enables. {@code perf/jmh RequestMetrics} runs it; run it with {@code -prof gc} for
 * the bytes allocated per request.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class RequestMetricsBenchmark {

  @Param({"vertx-micrometer", "route-bound"})
  public String metrics;

  private HttpServerMetrics<Object, Object, Object> server;
  private Object connection;
  private final HttpRequest request = new FixedRequest();
  private final HttpResponse response = new FixedResponse();

  @Setup
  @SuppressWarnings("unchecked")
  public void setUp() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)
      .addLabels(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
    VertxMetricsFactory factory = metrics.equals("route-bound")
      ? new RouteBoundMetricsFactory(registry) : new MicrometerMetricsFactory(registry);
    SocketAddress local = SocketAddress.inetSocketAddress(8080, "127.0.0.1");
    server = (HttpServerMetrics<Object, Object, Object>) factory.metrics(options)
      .createHttpServerMetrics(new HttpServerOptions(), local);
    connection = server.connected(SocketAddress.inetSocketAddress(40000, "127.0.0.1"), null);
  }

  /** begin, routed to {@code /test/async}, request end, 200 response end. */
  @Benchmark
  public Object oneRequest() {
    Object metric = server.requestBegin(connection, request);
    server.requestRouted(metric, "/test/async");
    server.requestEnd(metric, request, 0);
    server.responseEnd(metric, response, 30);
    return metric;
  }

  private static final class FixedRequest implements HttpRequest {
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

    @Override
    public int id() {
      return 1;
    }

    @Override
    public String uri() {
      return "/test/async?ms=0";
    }

    @Override
    public String absoluteURI() {
      return "http://127.0.0.1:8080/test/async?ms=0";
    }

    @Override
    public HttpMethod method() {
      return HttpMethod.GET;
    }

    @Override
    public MultiMap headers() {
      return headers;
    }

    @Override
    public SocketAddress remoteAddress() {
      return null;
    }
  }

  private static final class FixedResponse implements HttpResponse {
    private final MultiMap headers = MultiMap.caseInsensitiveMultiMap();

    @Override
    public int statusCode() {
      return 200;
    }

    @Override
    public MultiMap headers() {
      return headers;
    }
  }
}
