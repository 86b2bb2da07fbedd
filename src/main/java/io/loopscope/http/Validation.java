package io.loopscope.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * A route's parameter checks, chained before its work handler: each declared parameter is parsed,
 * range-checked and stored in the context under its name ({@code int ms = ctx.get("ms")}),
 * or the request fails with a 400 problem naming the parameter.
 */
public final class Validation implements Handler<RoutingContext> {

  private enum Source { QUERY, PATH }

  private record Param(String name, Source source, Object defaultValue, boolean optional, Function<String, Object> parse) {
    Param(String name, Source source, Object defaultValue, Function<String, Object> parse) {
      this(name, source, defaultValue, false, parse);
    }
  }

  private final List<Param> params = new ArrayList<>();

  public static Validation params() {
    return new Validation();
  }

  /** An integer query parameter in [min, max]; absent means {@code defaultValue} (null = required). */
  public Validation queryInt(String name, int min, int max, Integer defaultValue) {
    params.add(new Param(name, Source.QUERY, defaultValue, text -> (int) parseLong(name, text, min, max)));
    return this;
  }

  /** An integer query parameter in [min, max] that may be absent (then {@code ctx.get(name)} is null). */
  public Validation queryOptionalInt(String name, int min, int max) {
    params.add(new Param(name, Source.QUERY, null, true, text -> (int) parseLong(name, text, min, max)));
    return this;
  }

  /** A comma-separated list of distinct integers in [min, max], e.g. {@code fail=1,3}; absent means an empty list. */
  public Validation queryIntList(String name, int min, int max, int maxItems) {
    params.add(new Param(name, Source.QUERY, List.of(), text -> {
      String[] parts = text.split(",", -1);
      if (parts.length > maxItems) {
        throw invalid(name, name + " lists more than " + maxItems + " values");
      }
      List<Integer> values = new ArrayList<>();
      for (String part : parts) {
        int value = (int) parseLong(name, part.trim(), min, max);
        if (values.contains(value)) {
          throw invalid(name, name + " lists " + value + " twice");
        }
        values.add(value);
      }
      return List.copyOf(values);
    }));
    return this;
  }

  /** A long query parameter in [min, max]; absent means {@code defaultValue} (null = required). */
  public Validation queryLong(String name, long min, long max, Long defaultValue) {
    params.add(new Param(name, Source.QUERY, defaultValue, text -> parseLong(name, text, min, max)));
    return this;
  }

  public Validation queryBool(String name, boolean defaultValue) {
    params.add(new Param(name, Source.QUERY, defaultValue, text -> parseBool(name, text)));
    return this;
  }

  /** One of the allowed words, case-insensitive, stored in lower case. */
  public Validation queryEnum(String name, List<String> allowed, String defaultValue) {
    params.add(new Param(name, Source.QUERY, defaultValue, text -> {
      String value = text.toLowerCase(Locale.ROOT);
      if (!allowed.contains(value)) {
        throw invalid(name, name + " must be one of " + String.join(", ", allowed));
      }
      return value;
    }));
    return this;
  }

  /** A printable text query parameter of at most {@code maxLength} characters that may be absent (then null). */
  public Validation queryOptionalText(String name, int maxLength) {
    params.add(new Param(name, Source.QUERY, null, true, text -> {
      if (text.length() > maxLength) {
        throw invalid(name, name + " is longer than " + maxLength + " characters");
      }
      if (!text.codePoints().allMatch(c -> c >= 0x20 && c != 0x7f)) {
        throw invalid(name, name + " holds control characters");
      }
      return text;
    }));
    return this;
  }

  /** An integer path parameter in [min, max]. */
  public Validation pathLong(String name, long min, long max) {
    params.add(new Param(name, Source.PATH, null, text -> parseLong(name, text, min, max)));
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
    String text;
    if (param.source() == Source.PATH) {
      text = ctx.pathParam(param.name());
    } else {
      List<String> values = ctx.queryParam(param.name());
      if (values.size() > 1) {
        throw invalid(param.name(), param.name() + " is given more than once");
      }
      text = values.isEmpty() ? null : values.get(0);
    }
    if (text == null || text.isEmpty()) {
      if (param.optional()) {
        return null;
      }
      if (param.defaultValue() == null) {
        throw invalid(param.name(), param.name() + " is required");
      }
      return param.defaultValue();
    }
    return param.parse().apply(text);
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
