package dev.nersuite.ner.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ner.service.ModelRegistry;
import dev.nersuite.ner.service.ModelRegistryStates;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** The checks before warm-up and during shutdown, where no HTTP test can hold the app still. */
class HealthStatesTest {

  private static HealthCheckResponse.Status readiness(ModelRegistry holder) {
    ModelReadinessCheck check = new ModelReadinessCheck();
    check.model = holder;
    return check.call().getStatus();
  }

  private static HealthCheckResponse.Status startup(ModelRegistry holder) {
    ModelStartupCheck check = new ModelStartupCheck();
    check.model = holder;
    return check.call().getStatus();
  }

  @Test
  void beforeWarmUpNeitherStartedNorReady() {
    ModelRegistry loading = new ModelRegistry();
    assertThat(startup(loading)).isEqualTo(HealthCheckResponse.Status.DOWN);
    assertThat(readiness(loading)).isEqualTo(HealthCheckResponse.Status.DOWN);
  }

  @Test
  void whenShutdownBeginsStartedButNotReady() {
    ModelRegistry draining = ModelRegistryStates.draining();
    assertThat(startup(draining)).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(readiness(draining)).isEqualTo(HealthCheckResponse.Status.DOWN);
  }

  @Test
  void duringShutdownStartedButNotReady() {
    ModelRegistry stopping = ModelRegistryStates.stopping();
    assertThat(startup(stopping)).isEqualTo(HealthCheckResponse.Status.UP);
    assertThat(readiness(stopping)).isEqualTo(HealthCheckResponse.Status.DOWN);
  }

  @Test
  void livenessNeverDependsOnTheModel() {
    assertThat(new ProcessLivenessCheck().call().getStatus())
        .isEqualTo(HealthCheckResponse.Status.UP);
  }
}
