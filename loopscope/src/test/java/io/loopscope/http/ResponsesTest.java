package io.loopscope.http;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The wait endpoints' answer, written without a JSON tree, is byte for byte what the tree would encode. */
class ResponsesTest {

  @Test
  void the_waited_body_is_the_json_a_tree_encodes() {
    for (long ms : new long[] {0, 1, 9, 10, 99, 100, 12_345, -1, Long.MAX_VALUE, Long.MIN_VALUE}) {
      assertThat(Responses.waited(ms).toString())
        .isEqualTo(new JsonObject().put("data", "ok").put("waitedMs", ms).encode());
    }
  }
}
