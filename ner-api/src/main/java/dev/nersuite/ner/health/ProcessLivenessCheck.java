package dev.nersuite.ner.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Alive while the process can answer HTTP at all. It deliberately never touches the model: a slow
 * inference must not get a busy replica killed. Thread-safe (stateless).
 */
@Liveness
@ApplicationScoped
public class ProcessLivenessCheck implements HealthCheck {
  @Override
  public HealthCheckResponse call() {
    return HealthCheckResponse.up("process");
  }
}
