package dev.nersuite.ner.health;

import dev.nersuite.ner.service.ModelRegistry;
import dev.nersuite.ner.service.ModelState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while every configured model is loaded and warmed up and shutdown has not begun.
 * (Quarkus adds its own readiness check that goes DOWN as soon as the shutdown delay starts.)
 * Thread-safe.
 */
@Readiness
@ApplicationScoped
public class ModelReadinessCheck implements HealthCheck {
  @Inject ModelRegistry model;

  @Override
  public HealthCheckResponse call() {
    ModelState state = model.state();
    return HealthCheckResponse.named("model")
        .status(state == ModelState.READY)
        .withData("state", state.name())
        .build();
  }
}
