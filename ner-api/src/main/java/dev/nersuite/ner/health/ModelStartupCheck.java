package dev.nersuite.ner.health;

import dev.nersuite.ner.service.ModelRegistry;
import dev.nersuite.ner.service.ModelState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/** Started once the model has been loaded and warmed up. Thread-safe. */
@Startup
@ApplicationScoped
public class ModelStartupCheck implements HealthCheck {
  @Inject ModelRegistry model;

  @Override
  public HealthCheckResponse call() {
    ModelState state = model.state();
    boolean started =
        state == ModelState.READY || state == ModelState.DRAINING || state == ModelState.STOPPING;
    org.eclipse.microprofile.health.HealthCheckResponseBuilder response =
        HealthCheckResponse.named("model-loaded").status(started).withData("state", state.name());
    if (model.failure() != null) {
      response.withData("failure", model.failure());
    }
    return response.build();
  }
}
