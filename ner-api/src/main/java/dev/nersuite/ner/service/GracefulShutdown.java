package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Drains inference before the JVM begins to shut down. Thread-safe.
 *
 * <p>Why not just Quarkus' graceful shutdown: ONNX Runtime's Java binding registers a JVM shutdown
 * hook that releases its native environment, and the JVM runs all shutdown hooks at once, so an
 * inference still running while Quarkus drains requests crashes the process (SIGSEGV). So on
 * SIGTERM/SIGINT, before handing over to the JVM: readiness goes DOWN and requests are still served
 * for {@code ner.shutdown.delay} (balancers notice), then new work is refused with 503 {@code
 * SHUTTING_DOWN} (a gateway retries it elsewhere), in-flight work finishes (at most {@code
 * ner.shutdown.drain-timeout}), and only then the usual shutdown runs.
 */
@ApplicationScoped
public class GracefulShutdown {
  private static final Logger LOG = Logger.getLogger(GracefulShutdown.class);

  @Inject ModelRegistry model;
  @Inject NerService service;
  @Inject NerConfig config;

  void install(@Observes StartupEvent event) {
    // Created now, on a managed thread: the signal handler's thread cannot create beans.
    service.inFlight();
    // The JVM runs signal handlers on a thread without the application's class loader.
    ClassLoader applicationLoader = Thread.currentThread().getContextClassLoader();
    for (String name : new String[] {"TERM", "INT"}) {
      Signal signal = new Signal(name);
      SignalHandler[] previous = new SignalHandler[1];
      previous[0] =
          Signal.handle(
              signal,
              received -> {
                Thread thread = Thread.currentThread();
                ClassLoader original = thread.getContextClassLoader();
                thread.setContextClassLoader(applicationLoader);
                try {
                  drain();
                } catch (RuntimeException e) {
                  LOG.error("shutdown: draining failed, shutting down anyway", e);
                } finally {
                  thread.setContextClassLoader(original);
                  previous[0].handle(received); // the JVM's own handling: shutdown hooks, exit
                }
              });
    }
  }

  void drain() {
    if (!model.beginDraining()) {
      return; // a second signal: the first one is draining already
    }
    long delay = config.shutdown().delay().toMillis();
    LOG.infof("shutdown: readiness DOWN, serving %d ms more so balancers notice", delay);
    sleep(delay);
    model.stopTakingWork();
    long deadline = System.nanoTime() + config.shutdown().drainTimeout().toNanos();
    while (service.inFlight() > 0 && System.nanoTime() < deadline) {
      sleep(20);
    }
    LOG.infof("shutdown: inference drained (%d requests still running)", service.inFlight());
  }

  private static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
