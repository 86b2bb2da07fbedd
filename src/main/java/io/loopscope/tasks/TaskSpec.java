package io.loopscope.tasks;

import io.loopscope.failures.InvalidInput;
import io.loopscope.failures.TooLarge;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Set;

/**
 * A checked {@code POST /tasks} body: {@code {"kind":"sort","data":[...]}} or
 * {@code {"kind":"fetch","n":3,"ms":100,"fail":false}}. {@link #input()} is what the runner gets.
 */
public record TaskSpec(String kind, JsonObject input) {

  public static final String SORT = "sort";
  public static final String FETCH = "fetch";
  public static final List<String> KINDS = List.of(SORT, FETCH);

  /**
   * @param maxItems the most numbers a sort task takes (cpu.maxItems)
   * @param maxFanOut the largest n of a fetch task (concurrency.maxFanOut)
   * @param maxDelayMs the largest ms of a fetch task (demo.maxDelayMs)
   * @param defaultMs the ms of a fetch task that names none
   */
  public record Limits(int maxItems, int maxFanOut, int maxDelayMs, int defaultMs) {
  }

  /** Parses and checks a body; a bad one fails with a 400 problem naming the field, too many numbers with 413. */
  public static TaskSpec parse(Buffer body, Limits limits) {
    JsonObject json = object(body);
    Object kind = json.getValue("kind");
    if (!(kind instanceof String name) || !KINDS.contains(name)) {
      throw invalid("kind", "kind must be one of " + String.join(", ", KINDS));
    }
    return SORT.equals(kind) ? sort(json, limits) : fetch(json, limits);
  }

  private static JsonObject object(Buffer body) {
    if (body == null || body.length() == 0) {
      throw invalid("body", "The body must be a JSON object with a kind");
    }
    try {
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw invalid("body", "The body must be a JSON object with a kind");
    }
  }

  private static TaskSpec sort(JsonObject json, Limits limits) {
    onlyFields(json, Set.of("kind", "data"));
    if (!(json.getValue("data") instanceof JsonArray data)) {
      throw invalid("data", "data must be an array of numbers");
    }
    if (data.size() > limits.maxItems()) {
      throw new TooLarge("A sort task takes at most " + limits.maxItems() + " numbers (cpu.maxItems)");
    }
    for (int i = 0; i < data.size(); i++) {
      if (!(data.getValue(i) instanceof Number number) || !Double.isFinite(number.doubleValue())) {
        throw invalid("data[" + i + "]", "data[" + i + "] is not a finite number");
      }
    }
    return new TaskSpec(SORT, new JsonObject().put("data", data));
  }

  private static TaskSpec fetch(JsonObject json, Limits limits) {
    onlyFields(json, Set.of("kind", "n", "ms", "fail"));
    int n = intField(json, "n", 1, limits.maxFanOut(), null);
    int ms = intField(json, "ms", 0, limits.maxDelayMs(), Math.min(limits.defaultMs(), limits.maxDelayMs()));
    Object fail = json.getValue("fail", false);
    if (!(fail instanceof Boolean)) {
      throw invalid("fail", "fail must be true or false");
    }
    return new TaskSpec(FETCH, new JsonObject().put("n", n).put("ms", ms).put("fail", fail));
  }

  private static void onlyFields(JsonObject json, Set<String> allowed) {
    for (String field : json.fieldNames()) {
      if (!allowed.contains(field)) {
        throw invalid(field, "A task of this kind has no field " + field + " (allowed: " + String.join(", ", allowed) + ")");
      }
    }
  }

  private static int intField(JsonObject json, String name, int min, int max, Integer defaultValue) {
    Object value = json.getValue(name);
    if (value == null && defaultValue != null) {
      return defaultValue;
    }
    if (!(value instanceof Integer || value instanceof Long) || ((Number) value).longValue() < min
      || ((Number) value).longValue() > max) {
      throw invalid(name, name + " must be an integer between " + min + " and " + max);
    }
    return ((Number) value).intValue();
  }

  private static InvalidInput invalid(String field, String detail) {
    return InvalidInput.body(field, detail);
  }
}
