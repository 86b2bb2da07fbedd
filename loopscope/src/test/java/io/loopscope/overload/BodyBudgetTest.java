package io.loopscope.overload;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BodyBudgetTest {

  private final BodyBudget budget = new BodyBudget(1_000);

  @Test
  void a_reservation_that_fits_is_taken_and_one_that_does_not_is_refused_and_counted() {
    BodyBudget.Reservation first = budget.tryReserve(600);

    assertThat(first).isNotNull();
    assertThat(budget.tryReserve(500)).isNull();
    assertThat(budget.inUseBytes()).isEqualTo(600);
    assertThat(budget.refused()).isEqualTo(1);
  }

  @Test
  void a_body_of_unknown_length_grows_its_reservation_until_the_budget_is_spent() {
    BodyBudget.Reservation growing = budget.tryReserve(0);

    assertThat(growing.grow(700)).isTrue();
    assertThat(growing.grow(400)).isFalse();
    assertThat(growing.bytes()).isEqualTo(700);
    assertThat(budget.inUseBytes()).isEqualTo(700);
    assertThat(budget.refused()).isEqualTo(1);
  }

  @Test
  void the_bytes_return_when_the_last_holder_releases_and_never_twice() {
    BodyBudget.Reservation request = budget.tryReserve(800);
    BodyBudget.Reservation job = request.retain();

    request.release();
    assertThat(budget.inUseBytes()).as("the job still reads the body").isEqualTo(800);
    job.release();
    assertThat(budget.inUseBytes()).isZero();
    assertThatThrownBy(request::release).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(request::retain).isInstanceOf(IllegalStateException.class);
    assertThat(budget.inUseBytes()).isZero();
    assertThat(budget.tryReserve(1_000)).as("the whole budget is free again").isNotNull();
  }
}
