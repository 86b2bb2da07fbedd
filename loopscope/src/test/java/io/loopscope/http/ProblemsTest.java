package io.loopscope.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A handler that fails unexpectedly: the client gets a bare 500 problem, the log gets the cause under the request's id. */
@ExtendWith(VertxExtension.class)
class ProblemsTest {

  private Logger problemsLogger;
  private ListAppender<ILoggingEvent> logged;
  private WebClient client;

  @BeforeEach
  void serve(Vertx vertx) throws Exception {
    problemsLogger = (Logger) LoggerFactory.getLogger(Problems.class);
    logged = new ListAppender<>();
    logged.start();
    problemsLogger.addAppender(logged);
    Router router = Router.router(vertx);
    router.route().handler(new RequestIdHandler(null));
    router.get("/boom").handler(ctx -> {
      throw new IllegalStateException("secret detail of the failure");
    });
    Problems.install(router);
    int port = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS).actualPort();
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port));
  }

  @AfterEach
  void detach() {
    problemsLogger.detachAppender(logged);
    client.close();
  }

  @Test
  void an_unexpected_failure_is_a_500_problem_without_its_detail_and_is_logged_with_the_callers_id() throws Exception {
    HttpResponse<Buffer> response = client.get("/boom").putHeader(RequestIdHandler.HEADER, "boom-1").send()
      .await(10, TimeUnit.SECONDS);

    assertThat(response.statusCode()).isEqualTo(500);
    assertThat(response.getHeader("content-type")).startsWith("application/problem+json");
    assertThat(response.getHeader(RequestIdHandler.HEADER)).isEqualTo("boom-1");
    assertThat(response.bodyAsString()).doesNotContain("secret detail").doesNotContain("IllegalStateException");
    ILoggingEvent error = awaitErrorWithId("boom-1");
    assertThat(error.getLevel()).isEqualTo(Level.ERROR);
    assertThat(error.getFormattedMessage()).isEqualTo("Failed to serve GET /boom");
    assertThat(error.getThrowableProxy().getMessage()).isEqualTo("secret detail of the failure");
  }

  @Test
  void a_request_without_an_id_is_logged_under_the_id_it_was_given() throws Exception {
    HttpResponse<Buffer> response = client.get("/boom").send().await(10, TimeUnit.SECONDS);

    String given = response.getHeader(RequestIdHandler.HEADER);
    assertThat(given).matches("[0-9a-f]{32}");
    assertThat(awaitErrorWithId(given).getFormattedMessage()).isEqualTo("Failed to serve GET /boom");
  }

  /** The log line is written on the event loop as the failure is handled, so it may trail the client's receipt. */
  private ILoggingEvent awaitErrorWithId(String id) {
    return await().atMost(Duration.ofSeconds(5)).until(() -> {
      List<ILoggingEvent> events;
      synchronized (logged) {
        events = new ArrayList<>(logged.list);
      }
      return events.stream()
        .filter(event -> event.getKeyValuePairs() != null)
        .filter(event -> event.getKeyValuePairs().stream()
          .anyMatch(pair -> pair.key.equals(RequestIdHandler.LOG_KEY) && Objects.equals(pair.value, id)))
        .findFirst().orElse(null);
    }, Objects::nonNull);
  }
}
