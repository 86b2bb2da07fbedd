package io.loopscope.http;

import io.loopscope.testing.ServiceProcess;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's header timeout as a user gets it: the packaged jar with its defaults (20 s) and the plain
 * {@code java -jar}, two thousand raw connections that send one header line and never another byte. Each is
 * answered 408 and closed within the timeout and 5 s of its connect, while the API answers other clients
 * throughout. (SlowClientsIT covers the variants with short timeouts, in the image's JVM.)
 */
class HeaderTimeoutDefaultsIT {

  private static final Duration HEADER_TIMEOUT = Duration.ofSeconds(20);
  private static ServiceProcess service;
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    service = ServiceProcess.start("header-timeout-defaults", Map.of());
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws IOException {
    vertx.close().await();
    service.close();
  }

  @Test
  void two_thousand_connections_that_never_finish_their_headers_are_closed_within_the_default_timeout_while_others_are_served()
    throws Exception {
    NetClient net = vertx.createNetClient(new NetClientOptions().setConnectTimeout(10_000));
    List<Future<Duration[]>> closedAfter = new ArrayList<>();
    List<Buffer> received = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      Buffer answer = Buffer.buffer();
      received.add(answer);
      Promise<Duration[]> closed = Promise.promise();
      closedAfter.add(closed.future());
      long connecting = System.nanoTime();
      net.connect(service.apiPort(), "127.0.0.1").onFailure(closed::fail).onSuccess(socket -> {
        long connected = System.nanoTime();
        socket.handler(answer::appendBuffer);
        // since it began to connect (the server accepted it after that) and since it knew it was connected
        socket.closeHandler(v -> closed.tryComplete(new Duration[] {Duration.ofNanos(System.nanoTime() - connecting),
          Duration.ofNanos(System.nanoTime() - connected)}));
        socket.write("GET /test/async?ms=0 HTTP/1.1\r\nHost: x\r\n");
      });
    }

    // another client, every half second until they are all closed: answered each time
    WebClient api = service.apiClient(vertx);
    ConcurrentLinkedQueue<Integer> statuses = new ConcurrentLinkedQueue<>();
    long others = vertx.setPeriodic(500, id -> api.get("/test/async?ms=0").timeout(5_000).send()
      .onComplete(answer -> statuses.add(answer.succeeded() ? answer.result().statusCode() : -1)));
    try {
      Future.join(closedAfter).await(HEADER_TIMEOUT.plusSeconds(20).toSeconds(), TimeUnit.SECONDS);
    } finally {
      vertx.cancelTimer(others);
    }

    for (int i = 0; i < closedAfter.size(); i++) {
      assertThat(closedAfter.get(i).succeeded()).as("connection %d connected", i).isTrue();
      Duration[] closed = closedAfter.get(i).result();
      assertThat(closed[0]).as("connection %d closed after its connect began: never early", i).isGreaterThanOrEqualTo(HEADER_TIMEOUT);
      assertThat(closed[1]).as("connection %d closed after it connected", i).isLessThan(HEADER_TIMEOUT.plusSeconds(5));
      assertThat(received.get(i).toString()).startsWith("HTTP/1.1 408 ").contains("application/problem+json");
    }
    assertThat(statuses).as("the other client's answers meanwhile").hasSizeGreaterThanOrEqualTo(30).containsOnly(200);
    api.close();
  }
}
