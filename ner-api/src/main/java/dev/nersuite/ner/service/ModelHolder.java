package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.inference.EntityRecognizer;
import dev.nersuite.ner.inference.ModelBundle;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Loads the model bundle in the background once the application has started, warms it up, and holds
 * it until shutdown. Thread-safe: state and recognizer are published through volatile/atomic
 * fields.
 *
 * <p>Loading runs off the start-up thread so the HTTP server answers health probes (DOWN) while the
 * model loads. A bundle that cannot be loaded, or fails its integrity check, makes the process exit
 * instead of serving: a replica without a model must not look alive.
 */
@ApplicationScoped
public class ModelHolder {
  private static final Logger LOG = Logger.getLogger(ModelHolder.class);

  /** A short text with every kind of token, run once before the replica reports ready. */
  static final String WARM_UP_TEXT = "新华社北京电，Apple公司CEO在2024年访问了上海市。😀";

  private final AtomicReference<ModelState> state = new AtomicReference<>(ModelState.LOADING);
  private volatile EntityRecognizer recognizer;
  private volatile String failure;

  @Inject NerConfig config;

  void onStart(@Observes StartupEvent event) {
    Thread loader = new Thread(this::load, "model-loader");
    loader.setDaemon(true);
    loader.start();
  }

  void load() {
    long started = System.nanoTime();
    try {
      ModelBundle bundle =
          config
              .model()
              .path()
              .map(path -> ModelBundle.fromDirectory(Path.of(path)))
              .orElseGet(() -> ModelBundle.fromClasspath(ModelBundle.EMBEDDED_FOLDER));
      int threads =
          config.inference().intraOpThreads().orElse(Runtime.getRuntime().availableProcessors());
      EntityRecognizer opened = bundle.open(threads, config.inference().maxBatchWindows());
      if (config.model().warmUp()) {
        opened.recognize(List.of(WARM_UP_TEXT));
      }
      recognizer = opened;
      if (!state.compareAndSet(ModelState.LOADING, ModelState.READY)) {
        opened.close(); // shutdown began while loading
        return;
      }
      LOG.infof(
          "model %s %s from %s ready in %d ms (%d ORT threads)",
          bundle.metadata().name(),
          bundle.metadata().version(),
          bundle.source(),
          (System.nanoTime() - started) / 1_000_000,
          threads);
    } catch (RuntimeException e) {
      failure = e.getMessage();
      state.set(ModelState.FAILED);
      LOG.errorf(e, "the model cannot be served, exiting: %s", e.getMessage());
      Quarkus.asyncExit(1);
    }
  }

  /** Marks the start of shutdown: the service refuses new work from now on. */
  void onShutdown(@Observes ShutdownEvent event) {
    state.set(ModelState.STOPPING);
  }

  /** Closes the session; Quarkus destroys this bean only after in-flight requests finished. */
  @PreDestroy
  void close() {
    state.set(ModelState.STOPPING);
    EntityRecognizer current = recognizer;
    recognizer = null;
    if (current != null) {
      current.close();
    }
  }

  /** The current state. */
  public ModelState state() {
    return state.get();
  }

  /** Why loading failed, or {@code null}. */
  public String failure() {
    return failure;
  }

  /**
   * The recognizer, when ready.
   *
   * @throws ServiceUnavailableException when the model is not ready (loading, failed or stopping)
   */
  public EntityRecognizer recognizer() {
    EntityRecognizer current = recognizer;
    ModelState now = state.get();
    if (current == null || now == ModelState.LOADING || now == ModelState.FAILED) {
      throw new ServiceUnavailableException("NOT_READY", "the model is not loaded yet");
    }
    return current;
  }
}
