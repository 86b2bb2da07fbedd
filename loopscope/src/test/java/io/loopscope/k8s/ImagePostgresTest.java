package io.loopscope.k8s;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The image carries the PostgreSQL binaries of the platform it runs on, and no other (PackagedPostgresIT checks a jar). */
class ImagePostgresTest {

  @Test
  void the_jib_image_carries_the_linux_amd64_postgresql_only() {
    Pom pom = Pom.read();

    // eclipse-temurin is Ubuntu (glibc), and Jib builds for linux/amd64 unless told otherwise
    assertThat(pom.jibBase()).startsWith("eclipse-temurin:").doesNotContain("alpine");
    assertThat(pom.jibPlatforms()).isEmpty();
    assertThat(pom.profileProperty("jib", "postgres.platform")).isEqualTo("linux-amd64");
  }
}
