package dev.nersuite.ner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ModelRegistryTest {
  @Test
  void refusesWorkWith503UntilTheModelIsLoaded() {
    ModelRegistry holder = new ModelRegistry();
    assertThat(holder.state()).isEqualTo(ModelState.LOADING);
    assertThatThrownBy(() -> holder.pipeline(null))
        .isInstanceOf(ServiceUnavailableException.class)
        .extracting(e -> ((ServiceUnavailableException) e).code())
        .isEqualTo("NOT_READY");
  }

  @Test
  void onceShutdownStopsTakingWorkNewRequestsGetARetryable503() {
    ModelRegistry holder = ModelRegistryStates.stopping();
    assertThatThrownBy(() -> holder.pipeline(null))
        .isInstanceOf(ServiceUnavailableException.class)
        .extracting(e -> ((ServiceUnavailableException) e).code())
        .isEqualTo("SHUTTING_DOWN");
  }
}
