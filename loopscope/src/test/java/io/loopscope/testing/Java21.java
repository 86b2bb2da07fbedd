package io.loopscope.testing;

import io.loopscope.vthreads.VirtualThreads;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Virtual-thread tests run on Java 21+ and skip, saying why, on the Java 17 the build targets. */
public final class Java21 {

  /** Why a virtual-thread test is skipped on Java 17-20. */
  public static final String WHY = "virtual threads need Java 21 or later; run with JAVA_HOME set to a Java 21+ JDK, as .ci/run does";

  private Java21() {
  }

  public static void assumeVirtualThreads() {
    assumeTrue(VirtualThreads.supported(), WHY + " (this is Java " + Runtime.version().feature() + ")");
  }
}
