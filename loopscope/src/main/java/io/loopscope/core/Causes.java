package io.loopscope.core;

/** Short texts for failures that reach a one-line start-up or configuration error. */
public final class Causes {

  private Causes() {
  }

  /** The first line of the innermost cause's message, or its class name when it has none. */
  public static String rootMessage(Throwable failure) {
    Throwable t = failure;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.lines().findFirst().orElse(message);
  }
}
