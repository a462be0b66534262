package dev.nersuite.ner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelHolderTest {
  @Test
  void refusesWorkWith503UntilTheModelIsLoaded() {
    ModelHolder holder = new ModelHolder();
    assertThat(holder.state()).isEqualTo(ModelState.LOADING);
    assertThatThrownBy(holder::recognizer)
        .isInstanceOf(ServiceUnavailableException.class)
        .extracting(e -> ((ServiceUnavailableException) e).code())
        .isEqualTo("NOT_READY");
  }

  @Test
  void onceShutdownStopsTakingWorkNewRequestsGetARetryable503() {
    ModelHolder holder = ModelHolderStates.stopping();
    assertThatThrownBy(holder::recognizer)
        .isInstanceOf(ServiceUnavailableException.class)
        .extracting(e -> ((ServiceUnavailableException) e).code())
        .isEqualTo("SHUTTING_DOWN");
  }
}
