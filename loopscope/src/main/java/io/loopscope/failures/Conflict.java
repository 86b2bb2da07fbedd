package io.loopscope.failures;

/** The request is valid but clashes with the current state (e.g. a demo is already running); {@code slug} names which clash. */
public final class Conflict extends Failure {

  private final String slug;
  private final String title;

  public Conflict(String slug, String title, String detail) {
    super(detail);
    this.slug = slug;
    this.title = title;
  }

  public String slug() {
    return slug;
  }

  public String title() {
    return title;
  }
}
