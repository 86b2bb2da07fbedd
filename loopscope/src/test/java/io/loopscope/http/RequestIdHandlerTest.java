package io.loopscope.http;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.loopscope.testing.TestService;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static io.loopscope.http.RequestIdHandler.HEADER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every request gets an id: the client's when well-formed, else a new one; it comes back and is in the access log. */
@ExtendWith(VertxExtension.class)
class RequestIdHandlerTest {

  private static final String GENERATED = "[0-9a-f]{32}";

  private static TestService service;
  private WebClient client;
  private ListAppender<ILoggingEvent> accessLog;
  private Logger accessLogger;
  private Level accessLevel;

  @BeforeAll
  static void start() {
    service = TestService.start(Map.of("log.access", true));
  }

  @AfterAll
  static void stop() {
    service.close();
  }

  @BeforeEach
  void connect(Vertx vertx) {
    client = service.apiClient(vertx);
    accessLogger = (Logger) LoggerFactory.getLogger(RequestIdHandler.ACCESS_LOGGER);
    accessLevel = accessLogger.getLevel();
    accessLogger.setLevel(Level.INFO);
    accessLog = new ListAppender<>();
    accessLog.start();
    accessLogger.addAppender(accessLog);
  }

  @AfterEach
  void close() {
    accessLogger.detachAppender(accessLog);
    accessLogger.setLevel(accessLevel);
    client.close();
  }

  @Test
  void without_log_access_there_is_an_id_but_no_access_line(Vertx vertx, VertxTestContext ctx) {
    WebClient quiet = TestService.shared().apiClient(vertx);
    quiet.get("/test/async?ms=1").putHeader(HEADER, "quiet-1").send().onComplete(ctx.succeeding(response -> ctx.verify(() -> {
      assertThat(response.getHeader(HEADER)).isEqualTo("quiet-1");
      assertThat(accessLines()).noneMatch(line -> line.getKeyValuePairs().toString().contains("quiet-1"));
      quiet.close();
      ctx.completeNow();
    })));
  }

  @Test
  void a_request_without_an_id_gets_a_new_one_each_time(VertxTestContext ctx) {
    Future.all(client.get("/test/async?ms=1").send(), client.get("/test/async?ms=1").send())
      .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
        String first = both.<HttpResponse<Buffer>>resultAt(0).getHeader(HEADER);
        String second = both.<HttpResponse<Buffer>>resultAt(1).getHeader(HEADER);
        assertThat(first).matches(GENERATED);
        assertThat(second).matches(GENERATED).isNotEqualTo(first);
        ctx.completeNow();
      })));
  }

  @Test
  void a_well_formed_id_is_echoed_and_logged_with_the_request(VertxTestContext ctx) {
    String id = "Root=1-5759e988-bd862e3fe1be46a994272793:edge/7+x=";
    client.get("/test/async?ms=1").putHeader(HEADER, id).send()
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.getHeader(HEADER)).isEqualTo(id);
        assertThat(awaitAccessLine(id).getFormattedMessage()).matches("GET /test/async 200 \\d+ ms");
        ctx.completeNow();
      })));
  }

  @Test
  void a_path_is_logged_as_text_and_a_long_one_cut(VertxTestContext ctx) {
    String longPath = "/" + "a".repeat(300);
    client.get("/no/{}/route").putHeader(HEADER, "braces-1").send()
      .compose(braces -> client.get(longPath).putHeader(HEADER, "long-1").send())
      .onComplete(ctx.succeeding(response -> ctx.verify(() -> {
        assertThat(awaitAccessLine("braces-1").getFormattedMessage()).matches("GET /no/\\{}/route 404 \\d+ ms");
        assertThat(awaitAccessLine("long-1").getFormattedMessage())
          .matches("GET " + longPath.substring(0, 256) + "\\.\\.\\. 404 \\d+ ms");
        ctx.completeNow();
      })));
  }

  @Test
  void error_responses_carry_the_id_too(VertxTestContext ctx) {
    client.get("/no/such/route").putHeader(HEADER, "lost-1").send()
      .compose(notFound -> client.get("/test/async?ms=oops").putHeader(HEADER, "bad-1").send()
        .map(badRequest -> List.of(notFound, badRequest)))
      .onComplete(ctx.succeeding(responses -> ctx.verify(() -> {
        assertThat(responses.get(0).statusCode()).isEqualTo(404);
        assertThat(responses.get(0).getHeader(HEADER)).isEqualTo("lost-1");
        assertThat(responses.get(1).statusCode()).isEqualTo(400);
        assertThat(responses.get(1).getHeader(HEADER)).isEqualTo("bad-1");
        assertThat(awaitAccessLine("bad-1").getFormattedMessage()).startsWith("GET /test/async 400 ");
        ctx.completeNow();
      })));
  }

  @Test
  void a_malformed_oversized_or_repeated_id_is_replaced_never_echoed(VertxTestContext ctx) {
    List<String> hostile = List.of("", "has space", "<script>alert(1)</script>", "caf\u00e9", "a\tb", "x".repeat(129),
      "x".repeat(64 * 1024), "id\"},{\"level\":\"ERROR\"");
    List<Future<HttpResponse<Buffer>>> sent = hostile.stream()
      .map(value -> withHeader(client.get("/test/async?ms=1"), value).send())
      .toList();
    Future<HttpResponse<Buffer>> repeated = client.get("/test/async?ms=1").putHeader(HEADER, List.of("one", "two")).send();
    Future.join(Future.join(sent), repeated)
      .compose(done -> client.get("/test/async?ms=1").putHeader(HEADER, "still-healthy").send())
      .onComplete(ctx.succeeding(after -> ctx.verify(() -> {
        for (int i = 0; i < hostile.size(); i++) {
          HttpResponse<Buffer> response = sent.get(i).result();
          // the HTTP codecs may refuse some values outright (client side, or 431 for 64 KB): never echoed either way
          if (response != null) {
            assertThat(response.getHeader(HEADER)).as("value %d", i).isNotEqualTo(hostile.get(i));
            if (response.statusCode() == 200) {
              assertThat(response.getHeader(HEADER)).as("value %d", i).matches(GENERATED);
            }
          }
        }
        assertThat(repeated.result().getHeader(HEADER)).matches(GENERATED);
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(after.getHeader(HEADER)).isEqualTo("still-healthy");
        assertThat(accessLines()).extracting(ILoggingEvent::getKeyValuePairs).allSatisfy(pairs ->
          assertThat(pairs).extracting(pair -> String.valueOf(pair.value)).noneMatch(hostile::contains));
        ctx.completeNow();
      })));
  }

  @Test
  void the_header_check_accepts_up_to_128_safe_characters() {
    assertThat(RequestIdHandler.acceptedOrNew(List.of("x".repeat(128)))).isEqualTo("x".repeat(128));
    assertThat(RequestIdHandler.acceptedOrNew(List.of("x".repeat(129)))).matches(GENERATED);
    assertThat(RequestIdHandler.acceptedOrNew(List.of())).matches(GENERATED);
    assertThat(RequestIdHandler.acceptedOrNew(List.of("a\nb"))).matches(GENERATED);
  }

  @Test
  void new_ids_are_unique_across_100000_requests_made_from_four_threads_at_once() throws Exception {
    int perThread = 25_000;
    ExecutorService threads = Executors.newFixedThreadPool(4);
    try {
      List<CompletableFuture<List<String>>> batches = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        batches.add(CompletableFuture.supplyAsync(() -> {
          List<String> ids = new ArrayList<>(perThread);
          for (int i = 0; i < perThread; i++) {
            ids.add(RequestIdHandler.acceptedOrNew(List.of()));
          }
          return ids;
        }, threads));
      }
      Set<String> all = new HashSet<>();
      for (var batch : batches) {
        for (String id : batch.get(30, TimeUnit.SECONDS)) {
          assertThat(id).matches(GENERATED);
          all.add(id);
        }
      }
      assertThat(all).hasSize(4 * perThread);
    } finally {
      threads.shutdownNow();
    }
  }

  private static HttpRequest<Buffer> withHeader(HttpRequest<Buffer> request, String value) {
    request.headers().set(HEADER, value);
    return request;
  }

  /** A snapshot: the appender adds lines from event-loop threads while holding its own lock. */
  private List<ILoggingEvent> accessLines() {
    synchronized (accessLog) {
      return new ArrayList<>(accessLog.list);
    }
  }

  /** The access line is written when the response has ended, so it may trail the client's receipt a little. */
  private ILoggingEvent awaitAccessLine(String id) {
    return await().atMost(Duration.ofSeconds(5)).until(() -> accessLines().stream()
      .filter(event -> event.getKeyValuePairs() != null)
      .filter(event -> event.getKeyValuePairs().stream().anyMatch(pair ->
        pair.key.equals(RequestIdHandler.LOG_KEY) && Objects.equals(pair.value, id)))
      .findFirst().orElse(null), Objects::nonNull);
  }
}
