package io.loopscope.http;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The values ContractBoundsIT sends: just outside each bound, with everything else in the request valid. */
class ContractBoundsTest {

  private static ContractBounds bounds(String parameters) {
    String contract = """
      paths:
        /items/{id}:
          post:
            parameters:
              - { name: id, in: path, required: true, schema: { type: integer, format: int64, minimum: 1 } }
      %s
            requestBody:
              content:
                application/json:
                  example: { kind: sort }
            responses: {}
      """.formatted(parameters.indent(8).stripTrailing());
    return new ContractBounds(new Yaml().load(contract));
  }

  @Test
  void each_bound_gets_the_values_just_past_it_in_its_own_type() {
    ContractBounds bounds = bounds("""
      - { name: n, in: query, schema: { type: integer, minimum: 0, maximum: 100, default: 3 } }
      - { name: x, in: query, schema: { type: number, minimum: 0.5, exclusiveMaximum: 2 } }
      - { name: mode, in: query, schema: { type: string, enum: [all, allx] } }
      - { name: fail, in: query, schema: { type: string, pattern: '^[0-9]+(,[0-9]+)*$' } }
      - { name: Key, in: header, schema: { type: string, minLength: 1, maxLength: 3 } }""");

    assertThat(bounds.probes()).filteredOn(probe -> !probe.keyword().equals("pattern")).extracting(Object::toString).containsExactly(
      "POST /items/{id} id in path format int64 -> 9223372036854775808",
      "POST /items/{id} id in path minimum 1 -> 0",
      "POST /items/{id} n in query minimum 0 -> -1",
      "POST /items/{id} n in query maximum 100 -> 101",
      "POST /items/{id} x in query minimum 0.5 -> 0.499",
      "POST /items/{id} x in query exclusiveMaximum 2 -> 2",
      "POST /items/{id} mode in query enum -> allxx",
      "POST /items/{id} Key in header minLength 1 -> ",
      "POST /items/{id} Key in header maxLength 3 -> aaaa");
    assertThat(bounds.probes()).filteredOn(probe -> probe.keyword().equals("pattern")).extracting(ContractBounds.Probe::value)
      .containsExactly("x", "-1", "+1", " 1", "1 ", "1,", ",1", "1,,2", "1;2", "1.5", "0x1", "\uff11", "1,x");
  }

  @Test
  void a_probe_carries_valid_path_parameters_and_the_example_body() {
    ContractBounds.Probe probe = bounds("""
      - { name: n, in: query, schema: { type: integer, maximum: 9 } }""").probes().stream()
      .filter(p -> p.parameter().equals("n")).findFirst().orElseThrow();

    assertThat(probe.request()).startsWith("POST /items/1?n=10 HTTP/1.1\r\n")
      .contains("Content-Type: application/json\r\n", "Connection: close\r\n").endsWith("\r\n\r\n{\"kind\":\"sort\"}");
  }

  @Test
  void every_bounded_parameter_and_keyword_is_listed_from_the_schemas_alone() {
    assertThat(bounds("""
      - { name: on, in: query, schema: { type: boolean, default: false } }
      - { name: n, in: query, schema: { type: integer, format: int32, minimum: 0, maximum: 9 } }""").boundedParameters())
      .isEqualTo(Map.of("POST /items/{id} id in path", Set.of("format", "minimum"),
        "POST /items/{id} n in query", Set.of("minimum", "maximum")));
  }

  @Test
  void a_keyword_with_no_rule_fails_instead_of_going_untested() {
    assertThatThrownBy(() -> bounds("""
      - { name: n, in: query, schema: { type: integer, multipleOf: 5 } }""").probes())
      .hasMessageContaining("n in query: ContractBounds has no rule for multipleOf");
  }
}
