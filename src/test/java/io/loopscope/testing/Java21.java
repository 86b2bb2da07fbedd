package io.loopscope.testing;

import io.loopscope.vthreads.VirtualThreads;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Virtual-thread tests run on Java 21+ and skip, saying why, on the Java 17 the build targets. */
public final class Java21 {

  private Java21() {
  }

  public static void assumeVirtualThreads() {
    assumeTrue(VirtualThreads.supported(), "virtual threads need Java " + VirtualThreads.JAVA_RELEASE
      + " or later; this is Java " + Runtime.version().feature() + " (run with JAVA_HOME set to a Java 21+ JDK, as .ci/run does)");
  }
}
