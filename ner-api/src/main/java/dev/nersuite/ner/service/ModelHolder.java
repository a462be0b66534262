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
      int threads = config.inference().intraOpThreads();
      EntityRecognizer opened = bundle.open(threads, config.inference().maxBatchTokens());
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
    } catch (RuntimeException | Error e) {
      // Anything, a missing native library included: a replica that cannot serve must not linger.
      failure = String.valueOf(e.getMessage());
      state.set(ModelState.FAILED);
      LOG.errorf(e, "the model cannot be served, exiting: %s", e.getMessage());
      Quarkus.asyncExit(1);
    }
  }

  /**
   * First step of shutdown: readiness DOWN, requests still served.
   *
   * @return false if shutdown had begun already
   */
  boolean beginDraining() {
    ModelState before = state.getAndUpdate(s -> s == ModelState.STOPPING ? s : ModelState.DRAINING);
    return before != ModelState.DRAINING && before != ModelState.STOPPING;
  }

  /** Second step of shutdown: new work is refused with 503 from now on. */
  void stopTakingWork() {
    state.set(ModelState.STOPPING);
  }

  /** Quarkus' own shutdown (also in tests, where no signal is involved). */
  void onShutdown(@Observes ShutdownEvent event) {
    stopTakingWork();
  }

  /**
   * Closes the session once nothing runs any more. Skipped when the JVM itself is exiting: ONNX
   * Runtime's own shutdown hook has released its environment then, and closing a session after that
   * would crash; the process is ending anyway.
   */
  @PreDestroy
  void close() {
    state.set(ModelState.STOPPING);
    EntityRecognizer current = recognizer;
    recognizer = null;
    if (current != null && !jvmShuttingDown()) {
      current.close();
    }
  }

  private static boolean jvmShuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
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
   * @throws ServiceUnavailableException {@code NOT_READY} while loading, {@code SHUTTING_DOWN} once
   *     shutdown stops taking work
   */
  public EntityRecognizer recognizer() {
    EntityRecognizer current = recognizer;
    ModelState now = state.get();
    if (now == ModelState.STOPPING) {
      throw new ServiceUnavailableException(
          "SHUTTING_DOWN", "this replica is shutting down; retry on another one");
    }
    if (current == null || now == ModelState.LOADING || now == ModelState.FAILED) {
      throw new ServiceUnavailableException("NOT_READY", "the model is not loaded yet");
    }
    return current;
  }
}
