package io.loopscope.cli;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Durations on the command line, as people write them. */
class DurationConverterTest {

  @Test
  void reads_durations_as_people_write_them() {
    assertThat(DurationConverter.parse("10s")).isEqualTo(Duration.ofSeconds(10));
    assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(DurationConverter.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(DurationConverter.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(DurationConverter.parse("3")).isEqualTo(Duration.ofSeconds(3));
    for (String bad : List.of("", "ten", "-1s", "5 parsecs", "10d", "999999h")) {
      assertThatThrownBy(() -> DurationConverter.parse(bad)).isInstanceOf(CommandLine.TypeConversionException.class);
    }
  }
}
