package io.loopscope.tracing;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.core.BuildInfo;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VertxBuilder;
import io.vertx.tracing.opentelemetry.OpenTelemetryTracingFactory;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * The OpenTelemetry SDK behind the API's spans (tracing.enabled): W3C trace context read from each request
 * and sent on with its outgoing calls, spans batched off the event loops to an OTLP/HTTP collector.
 */
public final class Tracing {

  static final String SERVICE_NAME = "loopscope";
  /** Spans reach the collector about a second after they end: the dashboard's stall is then one click from its trace. */
  private static final Duration EXPORT_DELAY = Duration.ofSeconds(1);
  private static final Logger LOG = LoggerFactory.getLogger(Tracing.class);

  private Tracing() {
  }

  /** The SDK for {@code config}, exporting to its OTLP/HTTP endpoint. Call off the event loops. */
  public static OpenTelemetrySdk sdk(LoopscopeConfig.Tracing config) {
    String endpoint = config.otlpEndpoint() + "/v1/traces";
    LOG.info("Tracing on: a server span per API request, sampled {}, sent to {} (OTLP/HTTP)", config.sampler(), endpoint);
    return sdk(config, OtlpHttpSpanExporter.builder().setEndpoint(endpoint).build());
  }

  /** The SDK for {@code config}, exporting to {@code exporter} (tests pass an in-memory one). Call off the event loops. */
  public static OpenTelemetrySdk sdk(LoopscopeConfig.Tracing config, SpanExporter exporter) {
    Resource resource = Resource.getDefault().merge(Resource.create(Attributes.of(
      AttributeKey.stringKey("service.name"), SERVICE_NAME, AttributeKey.stringKey("service.version"), BuildInfo.version())));
    OpenTelemetrySdk sdk = OpenTelemetrySdk.builder()
      .setTracerProvider(SdkTracerProvider.builder()
        .setResource(resource)
        .setSampler(sampler(config.sampler()))
        .addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(EXPORT_DELAY).build())
        .build())
      .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
      .build();
    // the first Context.current() finds the context storage (a ServiceLoader scan): here, not on an event loop
    Context.current();
    return sdk;
  }

  /**
   * Vert.x built with {@code sdk} as its tracer: each HTTP server request gets a server span (the server's
   * default policy, ALWAYS), a child of the request's traceparent when it has one; clients propagate.
   * Vert.x built without it has no tracer at all.
   */
  public static VertxBuilder withTracer(VertxBuilder builder, OpenTelemetrySdk sdk) {
    return builder.withTracer(new OpenTelemetryTracingFactory(sdk));
  }

  /** Sends the spans still buffered and stops the exporter; never blocks the caller. */
  public static Future<Void> shutdown(OpenTelemetrySdk sdk) {
    Promise<Void> done = Promise.promise();
    sdk.shutdown().whenComplete(done::tryComplete);
    return done.future();
  }

  /** {@code parentbased_traceidratio:0.1} and friends, as validated by the config (the names of OTEL_TRACES_SAMPLER). */
  static Sampler sampler(String spec) {
    int colon = spec.indexOf(':');
    String name = colon < 0 ? spec : spec.substring(0, colon);
    boolean parentBased = name.startsWith("parentbased_");
    Sampler root = switch (parentBased ? name.substring("parentbased_".length()) : name) {
      case "always_on" -> Sampler.alwaysOn();
      case "always_off" -> Sampler.alwaysOff();
      case "traceidratio" -> Sampler.traceIdRatioBased(Double.parseDouble(spec.substring(colon + 1)));
      default -> throw new IllegalArgumentException("unknown sampler " + spec);
    };
    return parentBased ? Sampler.parentBased(root) : root;
  }
}
