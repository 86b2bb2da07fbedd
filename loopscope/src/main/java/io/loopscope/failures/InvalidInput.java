package io.loopscope.failures;

/** The input is malformed: {@code field} names the offending parameter or body member. */
public final class InvalidInput extends Failure {

  /** Where the offending field was: a query or path parameter, or the request body. */
  public enum Source { PARAMETER, BODY }

  private final Source source;
  private final String field;

  private InvalidInput(Source source, String field, String detail) {
    super(detail);
    this.source = source;
    this.field = field;
  }

  public static InvalidInput parameter(String field, String detail) {
    return new InvalidInput(Source.PARAMETER, field, detail);
  }

  public static InvalidInput body(String field, String detail) {
    return new InvalidInput(Source.BODY, field, detail);
  }

  public Source source() {
    return source;
  }

  public String field() {
    return field;
  }
}
