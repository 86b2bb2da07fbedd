package io.loopscope.db;

import io.loopscope.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConnectionSettingsTest {

  @Test
  void reads_every_part_of_a_postgresql_url() {
    ConnectionSettings target = ConnectionSettings.parse("db.url", "postgresql://app:hunter2@db.example:6543/shop");

    assertThat(target.host()).isEqualTo("db.example");
    assertThat(target.port()).isEqualTo(6543);
    assertThat(target.database()).isEqualTo("shop");
    assertThat(target.user()).isEqualTo("app");
    assertThat(target.password()).isEqualTo("hunter2");
    assertThat(target.jdbcUrl(5_000)).startsWith("jdbc:postgresql://db.example:6543/shop?").contains("connectTimeout=5")
      .doesNotContain("hunter2");
    assertThat(target.jdbcSession(3_000, 5_000)).containsEntry("password", "hunter2")
      .containsEntry("options", "-c statement_timeout=3000").containsEntry("socketTimeout", "8");
  }

  @Test
  void never_shows_the_password() {
    assertThat(ConnectionSettings.parse("db.url", "postgresql://app:hunter2@db.example:6543/shop"))
      .hasToString("postgresql://app:****@db.example:6543/shop");
    assertThat(ConnectionSettings.parse("db.url", "postgres://app@db.example:5432/shop"))
      .hasToString("postgresql://app@db.example:5432/shop");
  }

  @Test
  void fills_what_the_url_leaves_out_as_libpq_does() {
    ConnectionSettings target = ConnectionSettings.parse("db.url", "postgresql://db.example");

    assertThat(target.user()).isEqualTo("postgres");
    assertThat(target.password()).isEmpty();
    assertThat(target.database()).isEqualTo("postgres");
    assertThat(target.port()).isEqualTo(5432);
    assertThat(ConnectionSettings.parse("db.url", "postgresql://app@db.example").database()).isEqualTo("app");
  }

  @ParameterizedTest
  @ValueSource(strings = {"mysql://app:pw@db:3306/shop", "db.example:5432", "postgresql://", "postgresql://a b@host/db"})
  void a_malformed_url_is_a_configuration_error_naming_the_key(String url) {
    assertThatThrownBy(() -> ConnectionSettings.parse("db.urlFile", url))
      .isInstanceOf(ConfigException.class)
      .hasMessageStartingWith("db.urlFile:")
      .satisfies(e -> assertThat(e.getMessage()).doesNotContain("pw"));
  }
}
