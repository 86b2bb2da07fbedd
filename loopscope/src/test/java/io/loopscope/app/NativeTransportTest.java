package io.loopscope.app;

import io.loopscope.config.ConfigLoader;
import io.loopscope.config.LoopscopeConfig;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** vertx.nativeTransport: the main Vert.x instance runs on Java NIO by default, on Linux epoll when it is true. */
class NativeTransportTest {

  /** Where Netty's native library that the build ships (linux-x86_64) can load. */
  static boolean linuxX8664() {
    return System.getProperty("os.name").startsWith("Linux") && System.getProperty("os.arch").equals("amd64");
  }

  @Test
  void the_defaults_run_on_java_nio() {
    LoopscopeConfig defaults = ConfigLoader.defaults();
    assertThat(defaults.vertx().nativeTransport()).isFalse();
    assertThat(transportOf(defaults)).isEqualTo("nio");
  }

  @Test
  void true_runs_on_epoll_on_linux_x86_64() {
    assumeTrue(linuxX8664(), "the build ships epoll for linux x86_64 only; here it falls back to NIO");
    LoopscopeConfig config = ConfigLoader.load(Optional.empty(), Map.of("LOOPSCOPE_VERTX_NATIVETRANSPORT", "true"),
      new Properties());
    assertThat(config.vertx().nativeTransport()).isTrue();
    assertThat(transportOf(config)).isEqualTo("epoll");
  }

  private static String transportOf(LoopscopeConfig config) {
    Vertx vertx = Vertx.vertx(RunningService.vertxOptions(config, false));
    try {
      return vertx.isNativeTransportEnabled() ? "epoll" : "nio";
    } finally {
      vertx.close().await();
    }
  }
}
