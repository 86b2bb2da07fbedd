package io.loopscope.testing;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.Validator;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** The JSON schema every bench and demo report must follow (src/test/resources/bench/report.schema.json). */
public final class BenchReportSchema {

  private BenchReportSchema() {
  }

  public static Validator validator() throws IOException {
    try (InputStream in = BenchReportSchema.class.getClassLoader().getResourceAsStream("bench/report.schema.json")) {
      JsonObject schema = new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
      return Validator.create(JsonSchema.of(schema), new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri("https://loopscope.io/").setOutputFormat(OutputFormat.Basic));
    }
  }
}
