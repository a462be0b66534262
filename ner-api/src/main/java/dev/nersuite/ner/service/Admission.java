package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The in-flight bound: at most {@code ner.inference.max-in-flight} requests are admitted at once
 * (tokenizing, queued, running or decoding), over all models, since they share the CPUs; beyond it
 * a request is refused with 503 before any work is done for it. Thread-safe.
 */
@ApplicationScoped
public class Admission {
  private static final Logger LOG = Logger.getLogger(Admission.class);

  /** Admitted requests per CPU when {@code ner.inference.max-in-flight} is unset (ADR 0005). */
  static final int IN_FLIGHT_PER_CPU = 32;

  @Inject NerConfig config;
  @Inject MeterRegistry registry;
  @Inject ModelRegistry models;

  private final AtomicInteger inFlight = new AtomicInteger();
  private int maxInFlight;

  @PostConstruct
  void start() {
    maxInFlight =
        config
            .inference()
            .maxInFlight()
            .orElse(IN_FLIGHT_PER_CPU * Runtime.getRuntime().availableProcessors());
    registry.gauge("ner.requests.in.flight", inFlight);
    LOG.infof("admission: at most %d requests in flight", maxInFlight);
  }

  /** The bound. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /**
   * Whether a request arriving now would be refused; counts the refusal when so. A cheap pre-check
   * for the HTTP layer ({@code rest.OverloadGuard}), so refused requests are not even parsed: at
   * the in-flight bound, or when every model's queue is full (the queue would refuse it after its
   * JSON was read and its texts tokenized, work taken from the admitted requests). {@link #admit}
   * and the model's queue check again, exactly.
   */
  public boolean refusesForCapacity() {
    if (inFlight.get() < maxInFlight && !models.everyQueueFull()) {
      return false;
    }
    countRefusal();
    return true;
  }

  /**
   * Admits a request; every admitted request must be {@link #release}d exactly once.
   *
   * @throws ServiceUnavailableException {@code OVERLOADED} at the bound
   */
  void admit() {
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      countRefusal();
      throw ServiceUnavailableException.overloaded();
    }
  }

  /** A request admitted earlier has been answered. */
  void release() {
    inFlight.decrementAndGet();
  }

  /** Requests admitted and not yet answered; graceful shutdown waits for this to reach 0. */
  public int inFlight() {
    return inFlight.get();
  }

  private void countRefusal() {
    // Refused before the request is parsed, so no model is known: model="".
    registry.counter("ner.rejected", "model", "", "reason", "overloaded").increment();
  }
}
