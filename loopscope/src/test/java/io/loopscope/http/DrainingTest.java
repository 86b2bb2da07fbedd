package io.loopscope.http;

import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Once shutdown begins, responses ask keep-alive clients to reconnect elsewhere, those in flight at that moment too. */
@ExtendWith(VertxExtension.class)
class DrainingTest {

  private static final Pattern ACTIVE_GET = Pattern.compile("vertx_http_server_active_requests\\{method=\"GET\",?} (\\S+)");

  private TestService service;

  @BeforeEach
  void start() {
    service = TestService.start(Map.of());
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private double activeRequests(WebClient admin) throws Exception {
    String metrics = admin.get("/metrics").send().await(10, TimeUnit.SECONDS).bodyAsString();
    Matcher m = ACTIVE_GET.matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void a_response_in_flight_when_shutdown_begins_says_connection_close_and_so_do_later_ones(Vertx vertx) throws Exception {
    WebClient api = service.apiClient(vertx);
    WebClient admin = service.adminClient(vertx);
    HttpResponse<Buffer> before = api.get("/test/async?ms=0").send().await(10, TimeUnit.SECONDS);
    assertThat(before.getHeader("Connection")).as("before shutdown: keep-alive").isNull();

    Future<HttpResponse<Buffer>> inFlight = api.get("/test/async?ms=1500").send();
    await().atMost(Duration.ofSeconds(5)).until(() -> activeRequests(admin) >= 1);
    service.service().main().beginShutdown();

    assertThat(inFlight.await(10, TimeUnit.SECONDS).getHeader("Connection")).as("the request in flight").isEqualTo("close");
    HttpResponse<Buffer> after = api.get("/test/async?ms=0").send().await(10, TimeUnit.SECONDS);
    assertThat(after.statusCode()).isEqualTo(200);
    assertThat(after.getHeader("Connection")).as("a request after the start of the shutdown").isEqualTo("close");
  }
}
