package io.loopscope.cpu;

import io.loopscope.failures.InvalidInput;
import io.loopscope.failures.TooLarge;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.vertx.core.buffer.Buffer;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.BitSet;
import java.util.HashMap;
import java.util.Map;

/**
 * The article's {@code cpu_intensive_task}: {@code sorted(data, key=lambda x: x ** 2)}. Parsing,
 * checking, sorting and writing the JSON all happen here, on a cpu thread: a million-number body
 * takes long enough to parse that even that must stay off the event loop.
 */
public final class SortJob {

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final int WRITE_CHUNK = 16 * 1024;

  /** The sorted numbers as a JSON body, and the thread that did the work. */
  public record Result(Buffer body, int count, String thread) {
  }

  private SortJob() {
  }

  /** Parses a JSON array of numbers, at most {@code maxItems} of them, and sorts it by x squared (stable). */
  public static Result run(Buffer body, int maxItems) {
    return run(new ByteArrayInputStream(body.getBytes()), body.length(), maxItems);
  }

  /**
   * The same, streaming from {@code body} ({@code length} bytes): no tree of the JSON and no copy of the body,
   * one double per number.
   */
  public static Result run(InputStream body, long length, int maxItems) {
    Numbers numbers = parse(body, capacityFor(length, maxItems), maxItems);
    int[] order = stableOrderByMagnitude(numbers.value, numbers.count);
    return new Result(write(numbers, order, length), numbers.count, Thread.currentThread().getName());
  }

  /** A number takes two bytes of body at least ("1,"), so this many slots can never need to grow. */
  private static int capacityFor(long length, int maxItems) {
    return (int) Math.max(16, Math.min(maxItems, length / 2 + 1));
  }

  /**
   * Numbers as read, one double each. An integral one is flagged and written back as an integer; the few
   * beyond 2^53, where a double is not exact, keep their long in {@code wide}.
   */
  private static final class Numbers {
    private static final long EXACT = 1L << 53;
    final double[] value;
    final BitSet integral = new BitSet();
    final Map<Integer, Long> wide = new HashMap<>();
    int count;

    Numbers(int capacity) {
      value = new double[capacity];
    }

    void add(double number) {
      value[count++] = number;
    }

    void addIntegral(long number) {
      if (number > EXACT || number < -EXACT) {
        wide.put(count, number);
      }
      integral.set(count);
      value[count++] = number;
    }

    void appendTo(StringBuilder out, int at) {
      if (!integral.get(at)) {
        out.append(value[at]);
      } else {
        Long exact = wide.get(at);
        out.append(exact != null ? exact : (long) value[at]);
      }
    }
  }

  static Numbers parse(InputStream body, int capacity, int maxItems) {
    Numbers numbers = new Numbers(capacity);
    try (JsonParser parser = JSON.createParser(body)) {
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
              numbers.add(finite(parser.getDoubleValue(), numbers.count));
            } else {
              numbers.addIntegral(parser.getLongValue());
            }
          }
          case VALUE_NUMBER_FLOAT -> numbers.add(finite(parser.getDoubleValue(), numbers.count));
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

  private static double finite(double value, int index) {
    if (!Double.isFinite(value)) {
      throw InvalidInput.body("[" + index + "]", "Item " + index + " is too large a number");
    }
    return value;
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
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    int[] buffer = new int[n];
    for (int width = 1; width < n; width *= 2) {
      for (int lo = 0; lo < n - width; lo += 2 * width) {
        int mid = lo + width;
        int hi = Math.min(lo + 2 * width, n);
        if (Math.abs(value[order[mid - 1]]) <= Math.abs(value[order[mid]])) {
          continue;
        }
        int i = lo;
        int j = mid;
        int k = lo;
        while (i < mid && j < hi) {
          buffer[k++] = Math.abs(value[order[j]]) < Math.abs(value[order[i]]) ? order[j++] : order[i++];
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

  /** Straight into one buffer sized like the body (the answer is about as long), through a small text buffer. */
  private static Buffer write(Numbers numbers, int[] order, long bodyLength) {
    Buffer out = Buffer.buffer((int) Math.min(Integer.MAX_VALUE - 64, bodyLength + 64));
    StringBuilder text = new StringBuilder(WRITE_CHUNK + 32).append("{\"count\":").append(numbers.count).append(",\"processed\":[");
    for (int i = 0; i < order.length; i++) {
      if (i > 0) {
        text.append(',');
      }
      numbers.appendTo(text, order[i]);
      if (text.length() >= WRITE_CHUNK) {
        out.appendString(text.toString());
        text.setLength(0);
      }
    }
    return out.appendString(text.append("]}").toString());
  }
}
