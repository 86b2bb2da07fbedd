package io.loopscope.loopwatch;

import io.vertx.core.json.JsonObject;

/**
 * Whom to blame for a stall: the innermost application frame of the stack (not the JDK, Netty or Vert.x), and
 * the call it made that blocked ({@code HttpClient.send}, {@code Thread.sleep}): what a reader of a report
 * wants before the JDK frames that start every stack.
 */
record Culprit(String frame, String method, String call) {

  /** Implementation suffixes dropped from the blocking call's class, so the call reads as the API the code used. */
  private static final String[] IMPLEMENTATION_SUFFIXES = {"Facade", "Impl"};

  /** The culprit of {@code stack} (index 0 innermost), or null when no application frame is on it. */
  static Culprit of(StackTraceElement[] stack) {
    int innermost = innermostApplicationFrame(stack);
    return innermost < 0 ? null : at(stack[innermost], innermost == 0 ? null : stack[innermost - 1]);
  }

  /** The index of {@code stack}'s innermost application frame, or -1 when it has none. */
  static int innermostApplicationFrame(StackTraceElement[] stack) {
    for (int i = 0; i < stack.length; i++) {
      if (application(stack[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Whether {@code frame} is the application's own code that a culprit can name (not a lambda's hidden class). */
  static boolean application(StackTraceElement frame) {
    return !RunningWork.framework(frame) && !RunningWork.synthetic(frame);
  }

  /** {@code frame} to blame, having called {@code callee} (null when it was the innermost frame). */
  static Culprit at(StackTraceElement frame, StackTraceElement callee) {
    return new Culprit(frame.toString(), RunningWork.frameName(frame), callee == null ? null : callName(callee));
  }

  private static String callName(StackTraceElement frame) {
    String className = frame.getClassName();
    String simple = className.substring(className.lastIndexOf('.') + 1);
    int nested = simple.indexOf('$');
    if (nested > 0) {
      simple = simple.substring(0, nested);
    }
    for (String suffix : IMPLEMENTATION_SUFFIXES) {
      if (simple.endsWith(suffix) && simple.length() > suffix.length()) {
        simple = simple.substring(0, simple.length() - suffix.length());
      }
    }
    return simple + "." + frame.getMethodName();
  }

  /** {@code BlockingUpstreamClient.fetchPostBlocking -> HttpClient.send}. */
  String summary() {
    return call == null ? method : method + " -> " + call;
  }

  JsonObject toJson() {
    return new JsonObject().put("method", method).put("call", call).put("frame", frame);
  }
}
