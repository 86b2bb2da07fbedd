package io.loopscope.app;

import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * vertx.nativeTransport: true in the packaged jar: it carries Netty's epoll library and loads it from inside the fat
 * jar, and where the library cannot load it serves on Java NIO and says why. Its ready line names the transport.
 */
@ExtendWith(VertxExtension.class)
class NativeTransportIT {

  private static final Map<String, String> EPOLL = Map.of("LOOPSCOPE_VERTX_NATIVETRANSPORT", "true");

  private ServiceProcess service;

  @AfterEach
  void stop() throws IOException {
    if (service != null) {
      service.close();
    }
  }

  @Test
  void the_jar_serves_on_epoll_on_linux_x86_64(Vertx vertx) throws Exception {
    assumeTrue(NativeTransportTest.linuxX8664(), "the build ships epoll for linux x86_64 only");
    service = ServiceProcess.start("native-transport", EPOLL);

    assertThat(service.lines()).anySatisfy(line -> assertThat(line).contains("loopscope ready: API on port")
      .contains(" event loops, epoll), admin on port"));
    HttpResponse<Buffer> answer = asyncAnswer(vertx);
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(answer.bodyAsJsonObject().getString("data")).isEqualTo("ok");
  }

  @Test
  void where_epoll_cannot_load_it_serves_on_nio_and_says_why(Vertx vertx) throws Exception {
    // Netty unpacks its library into this directory before loading it: one under a file cannot be made, so the
    // load fails as it does on a platform the jar has no library for
    Path underAFile = Path.of("pom.xml").toAbsolutePath().resolve("native");
    service = ServiceProcess.launch("native-transport-fallback", List.of("-Dio.netty.native.workdir=" + underAFile),
      EPOLL, "serve").awaitReady();

    assertThat(service.lines()).anySatisfy(line -> assertThat(line).contains("loopscope ready: API on port")
      .contains(" event loops, nio: epoll unavailable here (IOException: ").contains(underAFile.toString()));
    assertThat(asyncAnswer(vertx).statusCode()).isEqualTo(200);
  }

  private HttpResponse<Buffer> asyncAnswer(Vertx vertx) throws Exception {
    return service.apiClient(vertx).get("/test/async?ms=5").send()
      .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
