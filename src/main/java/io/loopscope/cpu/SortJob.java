package io.loopscope.cpu;

import io.loopscope.failures.InvalidInput;
import io.loopscope.failures.TooLarge;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.Arrays;

/**
 * The article's {@code cpu_intensive_task}: {@code sorted(data, key=lambda x: x ** 2)}. Parsing,
 * checking, sorting and writing the JSON all happen here, on a cpu thread: a million-number body
 * takes long enough to parse that even that must stay off the event loop.
 */
public final class SortJob {

  private static final JsonFactory JSON = JsonFactory.builder().build();

  /** The sorted numbers as a JSON body, and the thread that did the work. */
  public record Result(Buffer body, int count, String thread) {
  }

  private SortJob() {
  }

  /** Parses a JSON array of numbers, at most {@code maxItems} of them, and sorts it by x squared (stable). */
  public static Result run(Buffer body, int maxItems) {
    Numbers numbers = parse(body, maxItems);
    int[] order = stableOrderByMagnitude(numbers.value, numbers.count);
    return new Result(write(numbers, order), numbers.count, Thread.currentThread().getName());
  }

  /** Numbers as read: integral ones keep their exact long value, the rest are doubles. */
  private static final class Numbers {
    double[] value = new double[1024];
    long[] integral = new long[1024];
    boolean[] isIntegral = new boolean[1024];
    int count;

    void add(double value, long exact, boolean exactInt) {
      if (count == this.value.length) {
        int grown = count * 2;
        this.value = Arrays.copyOf(this.value, grown);
        integral = Arrays.copyOf(integral, grown);
        isIntegral = Arrays.copyOf(isIntegral, grown);
      }
      this.value[count] = value;
      integral[count] = exact;
      isIntegral[count] = exactInt;
      count++;
    }
  }

  static Numbers parse(Buffer body, int maxItems) {
    Numbers numbers = new Numbers();
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        throw InvalidInput.body("body", "The body must be a JSON array of numbers");
      }
      JsonToken token;
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw InvalidInput.body("body", "The JSON array is not closed");
        }
        if (numbers.count == maxItems) {
          throw new TooLarge("At most " + maxItems + " numbers are accepted (cpu.maxItems)");
        }
        switch (token) {
          case VALUE_NUMBER_INT -> {
            if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
              numbers.add(parser.getDoubleValue(), 0, false);
            } else {
              long value = parser.getLongValue();
              numbers.add(value, value, true);
            }
          }
          case VALUE_NUMBER_FLOAT -> {
            double value = parser.getDoubleValue();
            if (!Double.isFinite(value)) {
              throw InvalidInput.body("[" + numbers.count + "]", "Item " + numbers.count + " is too large a number");
            }
            numbers.add(value, 0, false);
          }
          default -> throw InvalidInput.body("[" + numbers.count + "]",
            "Item " + numbers.count + " is " + describe(token) + ", not a number");
        }
      }
      if (parser.nextToken() != null) {
        throw InvalidInput.body("body", "Unexpected content after the JSON array");
      }
    } catch (StreamConstraintsException e) {
      throw InvalidInput.body("body", "The body exceeds the JSON parser's limits");
    } catch (IOException e) {
      throw InvalidInput.body("body", "The body is not valid JSON");
    }
    return numbers;
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> "not a value";
    };
  }

  /** Indexes ordered by |x| (the same order as x squared, without overflow); a merge sort, so equal keys keep their input order as Python's sorted does. */
  static int[] stableOrderByMagnitude(double[] value, int n) {
    double[] key = new double[n];
    for (int i = 0; i < n; i++) {
      key[i] = Math.abs(value[i]);
    }
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    int[] buffer = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, n);
        if (key[order[mid - 1]] <= key[order[mid]]) {
          continue;
        }
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          buffer[k++] = key[order[j]] < key[order[i]] ? order[j++] : order[i++];
        }
        while (i < mid) {
          buffer[k++] = order[i++];
        }
        while (j < hi) {
          buffer[k++] = order[j++];
        }
        System.arraycopy(buffer, lo, order, lo, hi - lo);
      }
    }
    return order;
  }

  private static Buffer write(Numbers numbers, int[] order) {
    StringBuilder out = new StringBuilder(numbers.count * 8 + 32).append("{\"count\":").append(numbers.count).append(",\"processed\":[");
    for (int i = 0; i < order.length; i++) {
      if (i > 0) {
        out.append(',');
      }
      int at = order[i];
      if (numbers.isIntegral[at]) {
        out.append(numbers.integral[at]);
      } else {
        out.append(numbers.value[at]);
      }
    }
    return Buffer.buffer(out.append("]}").toString());
  }
}
