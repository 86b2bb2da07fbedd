package io.loopscope.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A query with nothing to decode is read in place, without vertx-web's decoded parameters; every answer
 * must be the one the decoded parameters give, which a query with an escape in it still goes through.
 */
@ExtendWith(VertxExtension.class)
class ValidationTest {

  private static Vertx vertx;
  private static HttpServer server;
  private static WebClient client;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    Router router = Router.router(vertx);
    router.get("/v")
      .handler(Validation.params().queryInt("ms", 0, 1000, 100).queryLong("big", -5, Long.MAX_VALUE, 7L)
        .queryOptionalInt("opt", 1, 9).queryBool("fail", false).queryEnum("mode", List.of("fast", "slow"), "fast"))
      .handler(ctx -> {
        Integer ms = ctx.get("ms");
        Long big = ctx.get("big");
        Integer opt = ctx.get("opt");
        Boolean fail = ctx.get("fail");
        String mode = ctx.get("mode");
        Responses.json(ctx, new JsonObject().put("ms", ms).put("big", big).put("opt", opt).put("fail", fail).put("mode", mode));
      });
    router.get("/list")
      .handler(Validation.params().queryIntList("fail", 0, 9, 10).headerOptionalToken("Key", 8))
      .handler(ctx -> Responses.json(ctx, new JsonObject().put("fail", ctx.<List<Integer>>get("fail")).put("key", ctx.<String>get("key"))));
    Problems.install(router);
    server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  private static String answer(String query) throws Exception {
    HttpResponse<?> response = client.get(server.actualPort(), "127.0.0.1", "/v" + query).send().toCompletionStage()
      .toCompletableFuture().get(10, TimeUnit.SECONDS);
    String body = response.bodyAsString();
    // a problem names its instance (the path and query): compare what it says, not where
    return response.statusCode() + " " + (response.statusCode() >= 400 ? new JsonObject(body).put("instance", "").encode() : body);
  }

  /** Each plain query against the same query with one character escaped, which takes the decoding path. */
  @Test
  void a_plain_query_gets_the_answer_its_escaped_twin_gets() throws Exception {
    String[][] twins = {
      {"?ms=5", "?ms=%35"},
      {"?MS=5", "?MS=%35"},
      {"?ms=0&fail=true", "?ms=0&fail=tru%65"},
      {"?ms=1000", "?ms=100%30"},
      {"?ms=1001", "?ms=100%31"},
      {"?ms=-1", "?ms=-%31"},
      {"?ms=abc", "?ms=ab%63"},
      {"?ms=99999999999999999999999", "?ms=9999999999999999999999%39"},
      {"?ms=5&ms=6", "?ms=5&ms=%36"},
      {"?ms=", "?ms=&x=%31"},
      {"?ms", "?ms&x=%31"},
      {"?x=1&ms=7&y", "?x=%31&ms=7&y"},
      {"?msx=3&xms=4", "?msx=%33&xms=4"},
      {"?big=9223372036854775807", "?big=922337203685477580%37"},
      {"?big=-6", "?big=-%36"},
      {"?opt=", "?opt=&x=%31"},
      {"?opt=3", "?opt=%33"},
      {"?opt=0", "?opt=%30"},
      {"?mode=SLOW", "?mode=SLO%57"},
      {"?mode=medium", "?mode=mediu%6d"},
      {"?fail=yes", "?fail=ye%73"},
      {"?&&ms=2&&", "?&&ms=%32&&"},
      {"?=5&ms=9", "?=%35&ms=9"},
    };
    for (String[] twin : twins) {
      assertThat(answer(twin[0])).as(twin[0]).isEqualTo(answer(twin[1]));
    }
  }

  @Test
  void plain_queries_are_parsed_bounded_and_defaulted() throws Exception {
    assertThat(answer("")).isEqualTo("200 {\"ms\":100,\"big\":7,\"opt\":null,\"fail\":false,\"mode\":\"fast\"}");
    assertThat(answer("?ms=42&big=-5&opt=9&fail=1&mode=Slow"))
      .isEqualTo("200 {\"ms\":42,\"big\":-5,\"opt\":9,\"fail\":true,\"mode\":\"slow\"}");
    assertThat(answer("?ms=1001")).startsWith("400 ").contains("ms must be an integer between 0 and 1000");
    assertThat(answer("?ms=1&ms=2")).startsWith("400 ").contains("ms is given more than once");
  }

  /** An index list is digits and single commas, as the contract's pattern says: no sign, no space, no other digits. */
  @Test
  void an_index_list_outside_its_pattern_is_a_400_naming_it() throws Exception {
    assertThat(status("/list?fail=1,2", null)).isEqualTo("200");
    for (String fail : List.of("%2B1", "%201", "1%20", "1,%202", "%EF%BC%91", "1,", ",1", "1,,2", "-1")) {
      assertThat(status("/list?fail=" + fail, null)).as(fail).isEqualTo("400 fail");
    }
  }

  @Test
  void a_present_but_empty_header_is_too_short_not_absent() throws Exception {
    assertThat(status("/list", "k1")).isEqualTo("200");
    assertThat(status("/list", "")).isEqualTo("400 Key");
    assertThat(status("/list", "\"\"")).isEqualTo("400 Key");
  }

  /** The status and, for a problem, the parameter it names. */
  private static String status(String uri, String key) throws Exception {
    var request = client.get(server.actualPort(), "127.0.0.1", uri);
    if (key != null) {
      request.putHeader("Key", key);
    }
    HttpResponse<?> response = request.send().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    if (response.statusCode() < 400) {
      return String.valueOf(response.statusCode());
    }
    return response.statusCode() + " " + new JsonObject(response.bodyAsString()).getString("field");
  }
}
