package io.loopscope.cpu;

import io.vertx.core.json.JsonObject;
import net.jqwik.api.Example;
import io.loopscope.failures.TooLarge;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SortJobTest {

  private static List<Object> sorted(String json, int maxItems) {
    return new JsonObject(SortJob.run(Buffer.buffer(json), maxItems).body().toString())
      .getJsonArray("processed").getList();
  }

  /** Python's sorted(data, key=lambda x: x ** 2) on integers: stable, by square. */
  @Property
  void integers_come_back_as_python_would_sort_them(@ForAll @Size(max = 300) List<@IntRange(min = -1000, max = 1000) Integer> numbers) {
    List<Integer> expected = new ArrayList<>(numbers);
    expected.sort(Comparator.comparingLong(x -> (long) x * x));
    String json = numbers.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    assertThat(sorted(json, 1_000)).containsExactlyElementsOf(new ArrayList<>(expected));
  }

  @Property
  void doubles_are_a_permutation_ordered_by_square(@ForAll @Size(max = 200) List<Double> numbers) {
    List<Double> finite = numbers.stream().filter(Double::isFinite).toList();
    List<Object> result = sorted(new JsonArray(new ArrayList<>(finite)).encode(), 1_000);
    List<Double> values = result.stream().map(n -> ((Number) n).doubleValue()).toList();
    assertThat(values).containsExactlyInAnyOrderElementsOf(finite);
    for (int i = 1; i < values.size(); i++) {
      assertThat(Math.abs(values.get(i - 1))).isLessThanOrEqualTo(Math.abs(values.get(i)));
    }
  }

  @Property
  void equal_squares_keep_their_input_order(@ForAll @Size(max = 100) List<@IntRange(min = -3, max = 3) Integer> numbers) {
    List<Integer> expected = new ArrayList<>(numbers);
    expected.sort(Comparator.comparingInt(Math::abs));
    String json = numbers.stream().map(String::valueOf).collect(Collectors.joining(",", "[", "]"));
    assertThat(sorted(json, 1_000)).containsExactlyElementsOf(new ArrayList<>(expected));
  }

  @Property(tries = 20)
  void large_integers_keep_their_exact_value(@ForAll long a, @ForAll long b) {
    List<Long> exact = sorted("[" + a + "," + b + "]", 10).stream().map(n -> ((Number) n).longValue()).toList();
    assertThat(exact).containsExactlyInAnyOrder(a, b);
  }

  @Example
  void the_item_limit_is_enforced_naming_its_key() {
    assertThatThrownBy(() -> SortJob.run(Buffer.buffer("[1,2,3]"), 2))
      .isInstanceOf(TooLarge.class).hasMessageContaining("cpu.maxItems");
  }
}
