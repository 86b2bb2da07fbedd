package io.loopscope.db;

import io.loopscope.config.LoopscopeConfig;
import io.loopscope.core.StartupException;
import io.loopscope.testing.TestService;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** db.url / db.urlFile point loopscope at a PostgreSQL it does not own: here one this test starts itself. */
@ExtendWith(VertxExtension.class)
class ExternalDatabaseTest {

  private static EmbeddedDatabase external;
  private static String url;

  @BeforeAll
  static void startExternalServer() throws Exception {
    external = EmbeddedDatabase.prepare(new LoopscopeConfig.Db.Embedded("unused", true, 0));
    ConnectionSettings admin = external.start();
    try (Connection connection = DriverManager.getConnection(admin.jdbcUrl(5_000), admin.jdbcSession(10_000, 5_000));
         Statement statement = connection.createStatement()) {
      statement.execute("CREATE ROLE app LOGIN PASSWORD 'hunter2'");
      statement.execute("CREATE DATABASE shop OWNER app");
    }
    url = "postgresql://app:hunter2@localhost:" + external.port() + "/shop";
  }

  @AfterAll
  static void stopExternalServer() throws Exception {
    external.close();
  }

  @Test
  void a_url_in_a_secret_file_selects_the_external_server_which_outlives_the_service(Vertx vertx, @TempDir Path secrets)
    throws Exception {
    Path urlFile = Files.writeString(secrets.resolve("db-url"), url + "\n");
    try (TestService service = TestService.start(Map.of("db.urlFile", urlFile.toString()))) {
      WebClient api = service.apiClient(vertx);
      WebClient admin = service.adminClient(vertx);
      assertThat(service.service().main().database().embedded()).isEmpty();
      assertThat(api.get("/users/10000/overview").send().await(30, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      HttpResponse<Buffer> readiness = admin.get("/health/ready").send().await(30, TimeUnit.SECONDS);
      assertThat(readiness.bodyAsString())
        .contains("external postgresql://app:****@localhost:" + external.port() + "/shop")
        .doesNotContain("hunter2");
      api.close();
      admin.close();
    }
    assertThat(external.running()).as("the service leaves a server it does not own running").isTrue();
  }

  @Test
  void db_url_wins_and_a_restart_migrates_nothing_twice(Vertx vertx) throws Exception {
    for (int start = 0; start < 2; start++) {
      try (TestService service = TestService.start(Map.of("db.url", url, "db.urlFile", "no-such-file"))) {
        WebClient api = service.apiClient(vertx);
        JsonObject overview = api.get("/users/1/overview").send().await(30, TimeUnit.SECONDS).bodyAsJsonObject();
        assertThat(overview.getJsonObject("user").getString("email")).isEqualTo("user1@example.com");
        api.close();
      }
    }
    try (Connection connection = DriverManager.getConnection("jdbc:postgresql://localhost:" + external.port() + "/shop",
      "app", "hunter2"); Statement statement = connection.createStatement()) {
      var rows = statement.executeQuery("SELECT count(*) FROM users");
      rows.next();
      assertThat(rows.getLong(1)).isEqualTo(10_000);
    }
  }

  @Test
  void an_unreachable_server_stops_start_up_with_the_key_and_without_the_password() {
    assertThatThrownBy(() -> TestService.start(Map.of("db.url", "postgresql://app:hunter2@127.0.0.1:1/shop",
      "db.timeoutMs", 2_000)))
      .isInstanceOf(StartupException.class)
      .hasMessageStartingWith("db.url:")
      .hasMessageContaining("postgresql://app:****@127.0.0.1:1/shop")
      .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
  }
}
