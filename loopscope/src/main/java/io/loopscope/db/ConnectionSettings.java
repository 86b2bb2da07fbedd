package io.loopscope.db;

import io.loopscope.config.ConfigException;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.SslMode;
import io.vertx.pgclient.impl.PgConnectionUriParser;

import java.util.Locale;
import java.util.Properties;

/**
 * Where PostgreSQL is and how to log in, parsed once from {@code postgresql://user:pass@host:port/db}
 * and handed to the reactive pool, Flyway and the legacy JDBC verticle alike. {@link #toString()}
 * never shows the password.
 */
public final class ConnectionSettings {

  private static final String DEFAULT_USER = "postgres";

  private final String host;
  private final int port;
  private final String database;
  private final String user;
  private final String password;
  private final SslMode sslMode;

  ConnectionSettings(String host, int port, String database, String user, String password, SslMode sslMode) {
    this.host = host;
    this.port = port;
    this.database = database;
    this.user = user;
    this.password = password == null ? "" : password;
    this.sslMode = sslMode == null ? SslMode.DISABLE : sslMode;
  }

  /** @param key the configuration key the URL came from, named when it is malformed */
  public static ConnectionSettings parse(String key, String url) {
    if (!url.matches("postgres(ql)?://\\S+")) {
      throw new ConfigException(key, "must be a postgresql://user:password@host:port/database URL");
    }
    JsonObject given;
    try {
      // the parser behind PgConnectOptions.fromUri, which would fill what the URL leaves out with Vert.x's demo
      // credentials (user "user", password "pass"); libpq's defaults are meant instead
      given = PgConnectionUriParser.parse(url);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, "must be a postgresql://user:password@host:port/database URL");
    }
    PgConnectOptions options = new PgConnectOptions(given);
    String user = given.getString("user", DEFAULT_USER);
    return new ConnectionSettings(options.getHost(), options.getPort(), given.getString("database", user), user,
      given.getString("password", ""), options.getSslMode());
  }

  /** The connection options of the reactive pool; every session gets {@code statement_timeout}, so the server gives up too. */
  PgConnectOptions connectOptions(int statementTimeoutMs) {
    PgConnectOptions options = new PgConnectOptions()
      .setHost(host).setPort(port).setDatabase(database).setUser(user).setPassword(password).setSslMode(sslMode);
    options.addProperty("application_name", "loopscope");
    options.addProperty("statement_timeout", String.valueOf(statementTimeoutMs));
    return options;
  }

  /**
   * The JDBC URL (Flyway, the legacy verticle), with the connect timeout; pgjdbc counts it in whole seconds.
   * The credentials travel apart, in {@link #jdbcSession}.
   */
  public String jdbcUrl(int connectTimeoutMs) {
    int connectTimeout = seconds(connectTimeoutMs);
    return "jdbc:postgresql://" + host + ":" + port + "/" + database
      + "?sslmode=" + sslMode.name().toLowerCase(Locale.ROOT).replace('_', '-')
      + "&connectTimeout=" + connectTimeout + "&loginTimeout=" + connectTimeout + "&ApplicationName=loopscope";
  }

  /**
   * Credentials and a server-side limit on each statement for a long-lived JDBC session.
   *
   * @param statementTimeoutMs the server cancels a statement running longer
   * @param connectTimeoutMs added to the statement timeout for the socket timeout, the last resort when the server hangs
   */
  public Properties jdbcSession(int statementTimeoutMs, int connectTimeoutMs) {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("password", password);
    properties.setProperty("options", "-c statement_timeout=" + statementTimeoutMs);
    properties.setProperty("socketTimeout", String.valueOf(seconds(statementTimeoutMs + connectTimeoutMs)));
    return properties;
  }

  private static int seconds(int ms) {
    return Math.max(1, (ms + 999) / 1000);
  }

  public String host() {
    return host;
  }

  public int port() {
    return port;
  }

  public String database() {
    return database;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  @Override
  public String toString() {
    return "postgresql://" + user + (password.isEmpty() ? "" : ":****") + "@" + host + ":" + port + "/" + database;
  }
}
