package io.loopscope.tracing;

import io.loopscope.config.LoopscopeConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Each name tracing.sampler accepts is the OpenTelemetry sampler of the same name (OTEL_TRACES_SAMPLER's). */
class SamplerTest {

  @Test
  void every_sampler_name_maps_to_its_sdk_sampler() {
    Map<String, String> described = Map.of(
      "always_on", "AlwaysOnSampler",
      "always_off", "AlwaysOffSampler",
      "parentbased_always_on", "ParentBased{root:AlwaysOnSampler",
      "parentbased_always_off", "ParentBased{root:AlwaysOffSampler",
      "traceidratio:0.25", "TraceIdRatioBased{0.250000}",
      "parentbased_traceidratio:0.1", "ParentBased{root:TraceIdRatioBased{0.100000}");
    described.forEach((spec, description) ->
      assertThat(Tracing.sampler(spec).getDescription()).as(spec).startsWith(description));
    assertThat(LoopscopeConfig.Tracing.SAMPLERS).allSatisfy(name -> assertThat(described).containsKey(name));
  }
}
