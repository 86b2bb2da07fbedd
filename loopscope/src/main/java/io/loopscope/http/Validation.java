package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * A route's parameter checks, chained before its work handler: each declared parameter is parsed,
 * range-checked and stored in the context under its name ({@code int ms = ctx.get("ms")}),
 * or the request fails with a 400 problem naming the parameter.
 */
public final class Validation implements Handler<RoutingContext> {

  private enum Source { QUERY, PATH, HEADER }

  /**
   * What a parameter accepts, in OpenAPI's words ({@code in}, {@code type}, {@code minimum}, ...), so the
   * contract can be checked against what the route enforces. Absent bounds and defaults are null.
   */
  public record Spec(String name, String in, String type, boolean required, Long minimum, Long maximum, Object defaultValue,
                     List<String> allowed, Integer minLength, Integer maxLength, String pattern) {
  }

  /** {@link #queryIntList}'s text, as the contract's pattern says: digits and single commas, no signs, no spaces. */
  private static final String INT_LIST_PATTERN = "^[0-9]+(,[0-9]+)*$";
  private static final Pattern INT_LIST = Pattern.compile(INT_LIST_PATTERN);

  /** How a parameter's text becomes its value; integers can also be read straight from the query string. */
  private enum Type { INT, LONG, OTHER }

  /** A parameter's schema: its OpenAPI type and bounds (null where it has none). */
  private record Schema(String type, Long minimum, Long maximum, List<String> allowed, Integer minLength, Integer maxLength,
                        String pattern) {

    static Schema integer(long minimum, long maximum) {
      return new Schema("integer", minimum, maximum, null, null, null, null);
    }

    static Schema bool() {
      return new Schema("boolean", null, null, null, null, null, null);
    }

    static Schema text(List<String> allowed, Integer minLength, Integer maxLength, String pattern) {
      return new Schema("string", null, null, allowed, minLength, maxLength, pattern);
    }
  }

  private record Param(String name, Source source, Object defaultValue, boolean optional, Function<String, Object> parse,
                       Type type, Spec spec) {
  }

  private static final long ABSENT = -1;
  private static final long REPEATED = -2;

  private final List<Param> params = new ArrayList<>();

  public static Validation params() {
    return new Validation();
  }

  /** An integer query parameter in [min, max]; absent means {@code defaultValue} (null = required). */
  public Validation queryInt(String name, int min, int max, Integer defaultValue) {
    return add(name, Source.QUERY, defaultValue, false, text -> (int) parseLong(name, text, min, max), Type.INT,
      Schema.integer(min, max));
  }

  /** An integer query parameter in [min, max] that may be absent (then {@code ctx.get(name)} is null). */
  public Validation queryOptionalInt(String name, int min, int max) {
    return add(name, Source.QUERY, null, true, text -> (int) parseLong(name, text, min, max), Type.INT, Schema.integer(min, max));
  }

  /** A comma-separated list of distinct integers in [min, max], e.g. {@code fail=1,3}; absent means an empty list. */
  public Validation queryIntList(String name, int min, int max, int maxItems) {
    return add(name, Source.QUERY, List.of(), false, text -> {
      if (!INT_LIST.matcher(text).matches()) {
        throw invalid(name, name + " must be integers between " + min + " and " + max + " separated by commas, e.g. 0,2");
      }
      String[] parts = text.split(",", -1);
      if (parts.length > maxItems) {
        throw invalid(name, name + " lists more than " + maxItems + " values");
      }
      List<Integer> values = new ArrayList<>();
      for (String part : parts) {
        int value = (int) parseLong(name, part, min, max);
        if (values.contains(value)) {
          throw invalid(name, name + " lists " + value + " twice");
        }
        values.add(value);
      }
      return List.copyOf(values);
    }, Type.OTHER, Schema.text(null, null, null, INT_LIST_PATTERN));
  }

  /** A long query parameter in [min, max]; absent means {@code defaultValue} (null = required). */
  public Validation queryLong(String name, long min, long max, Long defaultValue) {
    return add(name, Source.QUERY, defaultValue, false, text -> parseLong(name, text, min, max), Type.LONG, Schema.integer(min, max));
  }

  public Validation queryBool(String name, boolean defaultValue) {
    return add(name, Source.QUERY, defaultValue, false, text -> parseBool(name, text), Type.OTHER, Schema.bool());
  }

  /** One of the allowed words, case-insensitive, stored in lower case. */
  public Validation queryEnum(String name, List<String> allowed, String defaultValue) {
    return add(name, Source.QUERY, defaultValue, false, text -> {
      String value = text.toLowerCase(Locale.ROOT);
      if (!allowed.contains(value)) {
        throw invalid(name, name + " must be one of " + String.join(", ", allowed));
      }
      return value;
    }, Type.OTHER, Schema.text(allowed, null, null, null));
  }

  /** A printable text query parameter of at most {@code maxLength} characters that may be absent (then null). */
  public Validation queryOptionalText(String name, int maxLength) {
    return add(name, Source.QUERY, null, true, text -> {
      if (text.length() > maxLength) {
        throw invalid(name, name + " is longer than " + maxLength + " characters");
      }
      if (!text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        throw invalid(name, name + " holds control characters");
      }
      return text;
    }, Type.OTHER, Schema.text(null, null, maxLength, null));
  }

  /**
   * A request header that may be absent (then null): 1 to {@code maxLength} visible ASCII characters, bare
   * or as a structured-field string ({@code "..."}, stored without the quotes), as an Idempotency-Key is.
   * Present but empty is not absent: it is too short.
   */
  public Validation headerOptionalToken(String name, int maxLength) {
    return add(name, Source.HEADER, null, true, text -> {
      String token = text.length() >= 2 && text.startsWith("\"") && text.endsWith("\"") ? text.substring(1, text.length() - 1) : text;
      if (token.isEmpty() || token.length() > maxLength || !token.chars().allMatch(c -> c >= 0x21 && c <= 0x7e)) {
        throw invalid(name, name + " must be 1 to " + maxLength + " visible ASCII characters, e.g. a UUID");
      }
      return token;
    }, Type.OTHER, Schema.text(null, 1, maxLength, null));
  }

  /** An integer path parameter in [min, max]. */
  public Validation pathLong(String name, long min, long max) {
    return add(name, Source.PATH, null, false, text -> parseLong(name, text, min, max), Type.LONG, Schema.integer(min, max));
  }

  /** What each declared parameter accepts, in declaration order. */
  public List<Spec> specs() {
    return params.stream().map(Param::spec).toList();
  }

  private Validation add(String name, Source source, Object defaultValue, boolean optional, Function<String, Object> parse,
                         Type valueType, Schema schema) {
    // an empty text default means "no default" (any value), as does a bound at the end of the long range
    Object documentedDefault = "".equals(defaultValue) || Long.valueOf(Long.MAX_VALUE).equals(defaultValue)
      || (defaultValue instanceof List<?> list && list.isEmpty()) ? null : defaultValue;
    Long maximum = schema.maximum() == null || schema.maximum() == Long.MAX_VALUE ? null : schema.maximum();
    Spec spec = new Spec(name, source.name().toLowerCase(Locale.ROOT), schema.type(), source == Source.PATH, schema.minimum(),
      maximum, documentedDefault, schema.allowed(), schema.minLength(), schema.maxLength(), schema.pattern());
    params.add(new Param(name, source, defaultValue, optional, parse, valueType, spec));
    return this;
  }

  @Override
  public void handle(RoutingContext ctx) {
    try {
      for (Param param : params) {
        ctx.put(param.name(), read(ctx, param));
      }
    } catch (ProblemException e) {
      ctx.fail(e);
      return;
    }
    ctx.next();
  }

  private static Object read(RoutingContext ctx, Param param) {
    if (param.source() == Source.QUERY) {
      String query = ctx.request().query();
      if (query == null) {
        return absent(param);
      }
      if (plain(query)) {
        return readPlain(query, param);
      }
    }
    String text;
    if (param.source() == Source.PATH) {
      text = ctx.pathParam(param.name());
    } else {
      List<String> values = param.source() == Source.HEADER
        ? ctx.request().headers().getAll(param.name())
        : ctx.queryParam(param.name());
      if (values.size() > 1) {
        throw invalid(param.name(), param.name() + " is given more than once");
      }
      text = values.isEmpty() ? null : values.get(0);
    }
    // an empty query or path value counts as absent; an empty header is a value, and a header's bounds reject it
    return text == null || (text.isEmpty() && param.source() != Source.HEADER) ? absent(param) : param.parse().apply(text);
  }

  private static Object absent(Param param) {
    if (param.optional()) {
      return null;
    }
    if (param.defaultValue() == null) {
      throw invalid(param.name(), param.name() + " is required");
    }
    return param.defaultValue();
  }

  /** Nothing in it needs decoding: no escapes, no {@code +}, no {@code ;} (the decoder's other separator). */
  private static boolean plain(String query) {
    for (int i = 0; i < query.length(); i++) {
      char c = query.charAt(i);
      if (c == '%' || c == '+' || c == ';' || c == '#') {
        return false;
      }
    }
    return true;
  }

  /**
   * The common case, a query with nothing to decode, read in place: the same answers as through the decoded
   * parameters (names match case-insensitively, as vertx-web's do), and an integer is parsed without a copy.
   */
  private static Object readPlain(String query, Param param) {
    long found = locate(query, param.name());
    if (found == REPEATED) {
      throw invalid(param.name(), param.name() + " is given more than once");
    }
    int start = (int) (found >>> 32);
    int end = (int) found;
    if (found == ABSENT || start == end) {
      return absent(param);
    }
    if (param.type() != Type.OTHER && end - start <= 20) {
      Spec spec = param.spec();
      try {
        long value = Long.parseLong(query, start, end, 10);
        if (value >= spec.minimum() && value <= (spec.maximum() == null ? Long.MAX_VALUE : spec.maximum())) {
          // not a ?: of the two: that would unbox both to long
          if (param.type() == Type.INT) {
            return (int) value;
          }
          return value;
        }
      } catch (NumberFormatException e) {
        // the parser below names the parameter and its range
      }
    }
    return param.parse().apply(query.substring(start, end));
  }

  /** Where {@code name}'s value sits in {@code query} (start in the high half, end in the low one), ABSENT or REPEATED. */
  private static long locate(String query, String name) {
    long found = ABSENT;
    int from = 0;
    while (from <= query.length()) {
      int and = query.indexOf('&', from);
      int end = and < 0 ? query.length() : and;
      int equals = query.indexOf('=', from);
      int keyEnd = equals < 0 || equals > end ? end : equals;
      if (keyEnd - from == name.length() && query.regionMatches(true, from, name, 0, name.length())) {
        if (found != ABSENT) {
          return REPEATED;
        }
        int valueStart = keyEnd == end ? end : keyEnd + 1;
        found = ((long) valueStart << 32) | end;
      }
      from = end + 1;
    }
    return found;
  }

  static long parseLong(String name, String text, long min, long max) {
    long value;
    try {
      value = text.length() > 20 ? failNumber() : Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw invalid(name, name + " must be an integer between " + min + " and " + max);
    }
    if (value < min || value > max) {
      throw invalid(name, name + " must be an integer between " + min + " and " + max);
    }
    return value;
  }

  private static long failNumber() {
    throw new NumberFormatException();
  }

  static boolean parseBool(String name, String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw invalid(name, name + " must be true or false");
    };
  }

  static ProblemException invalid(String name, String detail) {
    return Problem.invalidParameter(name, detail).toException();
  }
}
