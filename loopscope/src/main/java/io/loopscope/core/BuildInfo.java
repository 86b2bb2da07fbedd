package io.loopscope.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** Versions fixed at build time (from the pom), e.g. which webjar folder holds Swagger UI. */
public final class BuildInfo {

  private static final Properties PROPERTIES = load();

  private BuildInfo() {
  }

  public static String version() {
    return PROPERTIES.getProperty("version");
  }

  /** The major version of the embedded PostgreSQL binaries (what a data directory's PG_VERSION must say). */
  public static String postgresMajor() {
    return PROPERTIES.getProperty("postgres.version").split("\\.")[0];
  }

  public static String swaggerUiRoot() {
    return "META-INF/resources/webjars/swagger-ui/" + PROPERTIES.getProperty("swaggerUi.version");
  }

  public static String uplotRoot() {
    return "META-INF/resources/webjars/uplot/" + PROPERTIES.getProperty("uplot.version");
  }

  private static Properties load() {
    Properties properties = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream("/io/loopscope/build.properties")) {
      if (in == null) {
        throw new IllegalStateException("build.properties is missing from the classpath");
      }
      properties.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return properties;
  }
}
