package io.loopscope.tasks;

import io.loopscope.failures.InvalidInput;
import io.loopscope.failures.TooLarge;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * A checked {@code POST /tasks} body: {@code {"kind":"sort","data":[...]}} or
 * {@code {"kind":"fetch","n":3,"ms":100,"fail":false}}. {@link #input()} is what the runner gets, as JSON text.
 */
public record TaskSpec(String kind, String input) {

  public static final String SORT = "sort";
  public static final String FETCH = "fetch";
  public static final List<String> KINDS = List.of(SORT, FETCH);
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final String DATA = "data";

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
    return parse(new ByteArrayInputStream(body == null ? new byte[0] : body.getBytes()), body == null ? 0 : body.length(), limits);
  }

  /**
   * The same, streaming from {@code body} ({@code length} bytes): the scalar fields go into a small object,
   * the numbers of {@code data} straight into the runner's input text, never into a tree.
   */
  public static TaskSpec parse(InputStream body, long length, Limits limits) {
    Fields read = read(body, length, limits.maxItems());
    Object kind = read.scalars.getValue("kind");
    if (!(kind instanceof String name) || !KINDS.contains(name)) {
      throw invalid("kind", "kind must be one of " + String.join(", ", KINDS));
    }
    return SORT.equals(kind) ? sort(read, limits) : fetch(read.scalars, limits);
  }

  /** What a body held: scalar fields as values (objects and arrays as empty placeholders), {@code data} as text. */
  private static final class Fields {
    final JsonObject scalars = new JsonObject();
    StringBuilder data;
    boolean dataIsArray;
    int count;
    int firstBad = -1;
  }

  private static Fields read(InputStream body, long length, int maxItems) {
    if (length == 0) {
      throw invalid("body", "The body must be a JSON object with a kind");
    }
    Fields fields = new Fields();
    try (JsonParser parser = JSON.createParser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw invalid("body", "The body must be a JSON object with a kind");
      }
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (DATA.equals(name) && value == JsonToken.START_ARRAY) {
          readNumbers(parser, fields, length, maxItems);
        } else {
          fields.scalars.put(name, scalar(parser, value));
          if (DATA.equals(name)) {
            fields.dataIsArray = false;
          }
        }
      }
      if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
        throw invalid("body", "The body must be a JSON object with a kind");
      }
    } catch (StreamConstraintsException e) {
      throw invalid("body", "The body exceeds the JSON parser's limits");
    } catch (IOException e) {
      throw invalid("body", "The body must be a JSON object with a kind");
    }
    return fields;
  }

  /** Copies the numbers' own text (at most maxItems + 1 of them: one more says "too many"), noting the first non-number. */
  private static void readNumbers(JsonParser parser, Fields fields, long length, int maxItems) throws IOException {
    StringBuilder data = new StringBuilder((int) Math.min(length + 16, Integer.MAX_VALUE - 16)).append("{\"data\":[");
    int count = 0;
    JsonToken token;
    while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
      if (token == null) {
        throw invalid("body", "The body must be a JSON object with a kind");
      }
      boolean number = token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT;
      if (number && Double.isFinite(parser.getDoubleValue())) {
        if (count <= maxItems) {
          data.append(count == 0 ? "" : ",").append(parser.getText());
        }
      } else if (fields.firstBad < 0) {
        fields.firstBad = count;
      }
      parser.skipChildren();
      count++;
    }
    fields.data = data.append("]}");
    fields.dataIsArray = true;
    fields.count = count;
    // a placeholder, so a fetch task's field check sees the field
    fields.scalars.put(DATA, new JsonArray());
  }

  private static Object scalar(JsonParser parser, JsonToken value) throws IOException {
    return switch (value) {
      case VALUE_STRING -> parser.getText();
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> true;
      case VALUE_FALSE -> false;
      case VALUE_NULL -> null;
      case START_ARRAY -> {
        parser.skipChildren();
        yield new JsonArray();
      }
      default -> {
        parser.skipChildren();
        yield new JsonObject();
      }
    };
  }

  private static TaskSpec sort(Fields read, Limits limits) {
    onlyFields(read.scalars, Set.of("kind", DATA));
    if (!read.dataIsArray) {
      throw invalid(DATA, "data must be an array of numbers");
    }
    if (read.count > limits.maxItems()) {
      throw new TooLarge("A sort task takes at most " + limits.maxItems() + " numbers (cpu.maxItems)");
    }
    if (read.firstBad >= 0) {
      throw invalid("data[" + read.firstBad + "]", "data[" + read.firstBad + "] is not a finite number");
    }
    return new TaskSpec(SORT, read.data.toString());
  }

  private static TaskSpec fetch(JsonObject json, Limits limits) {
    onlyFields(json, Set.of("kind", "n", "ms", "fail"));
    int n = intField(json, "n", 1, limits.maxFanOut(), null);
    int ms = intField(json, "ms", 0, limits.maxDelayMs(), Math.min(limits.defaultMs(), limits.maxDelayMs()));
    Object fail = json.getValue("fail", false);
    if (!(fail instanceof Boolean)) {
      throw invalid("fail", "fail must be true or false");
    }
    return new TaskSpec(FETCH, new JsonObject().put("n", n).put("ms", ms).put("fail", fail).encode());
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
