package io.loopscope.http;

import io.vertx.core.json.Json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Every bound an OpenAPI contract puts on a query, path or header parameter, and for each bound the values
 * just outside it, as requests that are valid in every other respect: {@code minimum - 1} and
 * {@code maximum + 1} (a thousandth for a number), an exclusive bound itself, one past an int32/int64
 * format, a word not in the enum, {@code maxLength + 1} and {@code minLength - 1} characters, strings the
 * pattern rejects. A schema keyword this class has no rule for is an error, not a skip: a new kind of
 * bound cannot go untested.
 */
final class ContractBounds {

  /** Keywords that describe a parameter without bounding its value. */
  private static final Set<String> UNBOUNDED = Set.of("type", "default", "description", "example", "examples", "title");
  private static final BigDecimal NUMBER_STEP = new BigDecimal("0.001");
  /** Tried against each pattern; the ones it rejects are sent. Each is a near miss for a digits-and-separators pattern. */
  private static final List<String> PATTERN_CANDIDATES = List.of("x", "-1", "+1", " 1", "1 ", "1,", ",1", "1,,2", "1;2",
    "1.5", "0x1", "\uff11", "1,x");

  /** One out-of-bound value of one parameter, and the request that carries it. */
  record Probe(String operation, String parameter, String in, String bound, String value, String method, String target,
               Map<String, String> headers, String body) {

    /** "GET /gather fail in query", the parameter's key in {@link #boundedParameters}. */
    String key() {
      return operation + " " + parameter + " in " + in;
    }

    /** The schema keyword this value breaks: "maximum", "enum", "pattern", ... */
    String keyword() {
      return bound.split(" ", 2)[0];
    }

    /** The request, byte for byte, on a connection the server closes after answering. */
    String request() {
      StringBuilder out = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost\r\n");
      headers.forEach((name, value) -> out.append(name).append(": ").append(value).append("\r\n"));
      if (body != null) {
        out.append("Content-Type: application/json\r\nContent-Length: ")
          .append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
      }
      out.append("Connection: close\r\n\r\n");
      return body == null ? out.toString() : out.append(body).toString();
    }

    @Override
    public String toString() {
      return key() + " " + bound + " -> " + value;
    }
  }

  /** Reads the contract: its operations and its $refs. */
  private final ContractCheck contract;

  ContractBounds(Map<String, Object> contract) {
    this.contract = new ContractCheck(contract);
  }

  /**
   * "GET /gather fail in query" -> the keywords that bound it, for every bounded parameter of every operation,
   * read from the schemas alone (not from {@link #probes}), so a test can check that each has its probes.
   */
  Map<String, Set<String>> boundedParameters() {
    Map<String, Set<String>> bounded = new TreeMap<>();
    operations().forEach((operation, op) -> parameters(op).forEach(parameter -> {
      Set<String> bounds = new TreeSet<>();
      schema(parameter).forEach((keyword, value) -> {
        if (!UNBOUNDED.contains(keyword) && !(value instanceof Boolean) && !("format".equals(keyword) && !formatBounds(schema(parameter)))) {
          bounds.add(keyword);
        }
      });
      if (!bounds.isEmpty()) {
        bounded.put(operation + " " + parameter.get("name") + " in " + parameter.get("in"), bounds);
      }
    }));
    return bounded;
  }

  /** Every out-of-bound value of every bounded parameter, in the contract's order. */
  List<Probe> probes() {
    List<Probe> probes = new ArrayList<>();
    operations().forEach((operation, op) -> {
      List<Map<String, Object>> parameters = parameters(op);
      for (Map<String, Object> parameter : parameters) {
        outside(operation, parameter).forEach((bound, values) -> values.forEach(value ->
          probes.add(probe(operation, op, parameters, parameter, bound, value))));
      }
    });
    return probes;
  }

  /** bound -> the values just outside it. */
  private static Map<String, List<String>> outside(String operation, Map<String, Object> parameter) {
    Map<String, Object> schema = schema(parameter);
    String type = String.valueOf(schema.get("type"));
    boolean integer = "integer".equals(type);
    Map<String, List<String>> values = new LinkedHashMap<>();
    for (Map.Entry<String, Object> keyword : schema.entrySet()) {
      Object bound = keyword.getValue();
      switch (keyword.getKey()) {
        case "minimum" -> values.put("minimum " + bound, List.of(
          Boolean.TRUE.equals(schema.get("exclusiveMinimum")) ? decimal(bound).toPlainString() : below(decimal(bound), integer)));
        case "maximum" -> values.put("maximum " + bound, List.of(
          Boolean.TRUE.equals(schema.get("exclusiveMaximum")) ? decimal(bound).toPlainString() : above(decimal(bound), integer)));
        case "exclusiveMinimum", "exclusiveMaximum" -> {
          if (bound instanceof Number) {
            values.put(keyword.getKey() + " " + bound, List.of(decimal(bound).toPlainString()));
          }
        }
        case "format" -> {
          if (!integer || !("int32".equals(bound) || "int64".equals(bound))) {
            throw noRule(operation, parameter, "format " + bound);
          }
          BigInteger top = "int32".equals(bound) ? BigInteger.valueOf(Integer.MAX_VALUE) : BigInteger.valueOf(Long.MAX_VALUE);
          List<String> past = new ArrayList<>();
          if (schema.get("maximum") == null) {
            past.add(top.add(BigInteger.ONE).toString());
          }
          if (schema.get("minimum") == null) {
            past.add(top.negate().subtract(BigInteger.TWO).toString());
          }
          if (!past.isEmpty()) {
            values.put("format " + bound, past);
          }
        }
        case "enum" -> values.put("enum", List.of(notIn((List<?>) bound)));
        case "const" -> values.put("const", List.of(notIn(List.of(bound))));
        case "maxLength" -> values.put("maxLength " + bound, List.of(text(((Number) bound).intValue() + 1, schema)));
        case "minLength" -> values.put("minLength " + bound, List.of(text(((Number) bound).intValue() - 1, schema)));
        case "pattern" -> {
          Pattern pattern = Pattern.compile(String.valueOf(bound));
          List<String> rejected = PATTERN_CANDIDATES.stream().filter(candidate -> !pattern.matcher(candidate).find()).toList();
          if (rejected.isEmpty()) {
            throw noRule(operation, parameter, "pattern " + bound + " accepts every candidate");
          }
          values.put("pattern", rejected);
        }
        default -> {
          if (!UNBOUNDED.contains(keyword.getKey())) {
            throw noRule(operation, parameter, keyword.getKey());
          }
        }
      }
    }
    return values;
  }

  /** An int32/int64 format bounds an integer on a side where no minimum or maximum does. */
  private static boolean formatBounds(Map<String, Object> schema) {
    return schema.get("maximum") == null || schema.get("minimum") == null;
  }

  private Probe probe(String operation, Map<String, Object> op, List<Map<String, Object>> parameters,
                      Map<String, Object> target, String bound, String value) {
    String[] methodAndPath = operation.split(" ", 2);
    String path = methodAndPath[1];
    List<String> query = new ArrayList<>();
    Map<String, String> headers = new LinkedHashMap<>();
    for (Map<String, Object> parameter : parameters) {
      String name = String.valueOf(parameter.get("name"));
      String text;
      if (parameter == target) {
        text = value;
      } else if ("path".equals(parameter.get("in")) || Boolean.TRUE.equals(parameter.get("required"))) {
        text = valid(operation, parameter);
      } else {
        continue;
      }
      switch (String.valueOf(parameter.get("in"))) {
        case "path" -> path = path.replace("{" + name + "}", encode(text));
        case "query" -> query.add(encode(name) + "=" + encode(text));
        case "header" -> headers.put(name, text);
        default -> throw noRule(operation, parameter, "in: " + parameter.get("in"));
      }
    }
    String uri = query.isEmpty() ? path : path + "?" + String.join("&", query);
    return new Probe(operation, String.valueOf(target.get("name")), String.valueOf(target.get("in")), bound, value,
      methodAndPath[0], uri, headers, body(operation, op));
  }

  /** A value the parameter accepts: its default, example, first enum word or minimum. */
  private static String valid(String operation, Map<String, Object> parameter) {
    Map<String, Object> schema = schema(parameter);
    for (String key : List.of("default", "example", "const")) {
      if (schema.get(key) != null) {
        return String.valueOf(schema.get(key));
      }
    }
    if (parameter.get("example") != null) {
      return String.valueOf(parameter.get("example"));
    }
    if (schema.get("enum") instanceof List<?> words) {
      return String.valueOf(words.get(0));
    }
    if (schema.get("minimum") != null && !Boolean.TRUE.equals(schema.get("exclusiveMinimum"))) {
      return decimal(schema.get("minimum")).toPlainString();
    }
    if ("integer".equals(schema.get("type")) && schema.get("pattern") == null) {
      return "1";
    }
    throw noRule(operation, parameter, "no valid value to send (give it a default or an example)");
  }

  /** The operation's example body, when it takes one. */
  @SuppressWarnings("unchecked")
  private Object bodyExample(Map<String, Object> op) {
    Map<String, Object> body = (Map<String, Object>) resolve(op.get("requestBody"));
    if (body == null) {
      return null;
    }
    Map<String, Object> media = (Map<String, Object>) ((Map<String, Object>) body.get("content")).get("application/json");
    if (media == null) {
      return null;
    }
    if (media.get("example") != null) {
      return media.get("example");
    }
    if (media.get("examples") instanceof Map<?, ?> examples && !examples.isEmpty()) {
      return ((Map<String, Object>) resolve(examples.values().iterator().next())).get("value");
    }
    return null;
  }

  private String body(String operation, Map<String, Object> op) {
    if (op.get("requestBody") == null) {
      return null;
    }
    Object example = bodyExample(op);
    if (example == null) {
      throw new IllegalStateException(operation + ": a body is required and the contract gives no application/json example");
    }
    return Json.encode(example);
  }

  private Map<String, Map<String, Object>> operations() {
    return contract.operations();
  }

  @SuppressWarnings("unchecked")
  private List<Map<String, Object>> parameters(Map<String, Object> op) {
    return ((List<Object>) op.get("parameters")).stream().map(p -> (Map<String, Object>) resolve(p))
      .filter(p -> !"cookie".equals(p.get("in"))).toList();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> schema(Map<String, Object> parameter) {
    return (Map<String, Object>) parameter.getOrDefault("schema", Map.of());
  }

  private Object resolve(Object node) {
    return contract.resolve(node);
  }

  private static BigDecimal decimal(Object number) {
    return new BigDecimal(String.valueOf(number));
  }

  private static String below(BigDecimal bound, boolean integer) {
    return bound.subtract(integer ? BigDecimal.ONE : NUMBER_STEP).toPlainString();
  }

  private static String above(BigDecimal bound, boolean integer) {
    return bound.add(integer ? BigDecimal.ONE : NUMBER_STEP).toPlainString();
  }

  /** A near miss: the first allowed value with a letter more (in no case one of the allowed). */
  private static String notIn(List<?> allowed) {
    String value = allowed.get(0) + "x";
    while (isIn(value, allowed)) {
      value += "x";
    }
    return value;
  }

  private static boolean isIn(String value, List<?> allowed) {
    return allowed.stream().anyMatch(word -> String.valueOf(word).equalsIgnoreCase(value));
  }

  /** {@code length} characters the pattern (if any) accepts, so only the length is out of bounds. */
  private static String text(int length, Map<String, Object> schema) {
    Pattern pattern = schema.get("pattern") == null ? null : Pattern.compile(String.valueOf(schema.get("pattern")));
    for (String c : List.of("a", "1", "A")) {
      if (pattern == null || pattern.matcher(c.repeat(Math.max(length, 1))).find()) {
        return c.repeat(length);
      }
    }
    return "a".repeat(length);
  }

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static IllegalStateException noRule(String operation, Map<String, Object> parameter, String what) {
    return new IllegalStateException(operation + " " + parameter.get("name") + " in " + parameter.get("in")
      + ": ContractBounds has no rule for " + what + "; teach it one, so the bound is tested");
  }
}
