package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.dictionary.DictionaryService;
import dev.nersuite.ner.inference.EntityRecognizer;
import dev.nersuite.ner.inference.ModelBundle;
import dev.nersuite.ner.inference.ModelBundleException;
import dev.nersuite.ner.inference.ModelMetadata;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Loads every configured model bundle ({@link ModelSources}) in the background once the application
 * has started, warms each one up, and holds them by name until shutdown. The service is READY when
 * every model is. Thread-safe: state and the model map are published through volatile/atomic
 * fields.
 *
 * <p>Loading runs off the start-up thread so the HTTP server answers health probes (DOWN) while the
 * models load. A bundle that cannot be loaded, fails its integrity check or clashes with another's
 * name makes the process exit instead of serving: a replica without its models must not look alive.
 */
@ApplicationScoped
public class ModelRegistry implements DictionaryService.EntityTypes {
  private static final Logger LOG = Logger.getLogger(ModelRegistry.class);

  /** A short text with every kind of token, run once per model before the replica reports ready. */
  static final String WARM_UP_TEXT = "新华社北京电，Apple公司CEO在2024年访问了上海市。😀";

  private final AtomicReference<ModelState> state = new AtomicReference<>(ModelState.LOADING);
  private volatile Map<String, ModelPipeline> pipelines = Map.of();
  private volatile List<String> modelOrder = List.of();
  private volatile String defaultName;
  private volatile String failure;

  @Inject NerConfig config;
  @Inject MeterRegistry registry;

  void onStart(@Observes StartupEvent event) {
    Thread loader = new Thread(this::load, "model-loader");
    loader.setDaemon(true);
    loader.start();
  }

  void load() {
    List<ModelPipeline> opened = new ArrayList<>();
    try {
      ModelSources sources = ModelSources.of(config);
      Map<String, ModelPipeline> byName = new LinkedHashMap<>();
      for (ModelSources.Source source : sources.sources()) {
        ModelPipeline pipeline = open(source);
        opened.add(pipeline);
        if (byName.putIfAbsent(pipeline.name(), pipeline) != null) {
          throw new ModelBundleException(
              source.description() + ": a second model named '" + pipeline.name() + "'");
        }
      }
      String chosen = sources.defaultName(new ArrayList<>(byName.keySet()));
      pipelines = Map.copyOf(byName);
      defaultName = chosen;
      modelOrder = List.copyOf(byName.keySet());
      if (!state.compareAndSet(ModelState.LOADING, ModelState.READY)) {
        opened.forEach(ModelPipeline::close); // shutdown began while loading
        return;
      }
      LOG.infof("serving %s; default model %s", modelOrder, chosen);
    } catch (RuntimeException | Error e) {
      // Anything, a missing native library included: a replica that cannot serve must not linger.
      opened.forEach(ModelPipeline::close);
      failure = String.valueOf(e.getMessage());
      state.set(ModelState.FAILED);
      LOG.errorf(e, "the models cannot be served, exiting: %s", e.getMessage());
      Quarkus.asyncExit(1);
    }
  }

  private ModelPipeline open(ModelSources.Source source) {
    long started = System.nanoTime();
    ModelBundle bundle = source.loader().get();
    ModelPipeline.Settings settings = settings(config.inference(), bundle.metadata());
    EntityRecognizer recognizer =
        bundle.open(settings.intraOpThreads(), settings.maxBatchTokens(), settings.windowPieces());
    ModelPipeline pipeline;
    try {
      pipeline = new ModelPipeline(recognizer, settings, registry);
    } catch (RuntimeException e) {
      recognizer.close();
      throw e;
    }
    if (config.model().warmUp()) {
      pipeline.warmUp(WARM_UP_TEXT);
    }
    LOG.infof(
        "model %s %s from %s ready in %d ms (%d worker(s) x %d ORT thread(s), batches of at most %d"
            + " tokens%s, windows of %d pieces)",
        bundle.metadata().name(),
        bundle.metadata().version(),
        bundle.source(),
        (System.nanoTime() - started) / 1_000_000,
        settings.workers(),
        settings.intraOpThreads(),
        settings.maxBatchTokens(),
        recognizer.batchRunner().maxRows() == 1 ? ", every row alone" : "",
        settings.windowPieces());
    return pipeline;
  }

  /**
   * How a model runs: the configuration where it is set, else what the bundle recommends, else the
   * defaults (1 ORT thread, 512 tokens per call, a worker per group of ORT threads per CPU, windows
   * of the model's longest row). A window setting longer than the model's row is cut to it.
   */
  static ModelPipeline.Settings settings(NerConfig.Inference inference, ModelMetadata metadata) {
    ModelMetadata.Serving hints =
        metadata.serving() != null
            ? metadata.serving()
            : new ModelMetadata.Serving(null, null, null);
    int threads =
        inference
            .intraOpThreads()
            .orElse(hints.intraOpThreads() != null ? hints.intraOpThreads() : 1);
    int maxBatchTokens =
        inference
            .maxBatchTokens()
            .orElse(hints.maxBatchTokens() != null ? hints.maxBatchTokens() : 512);
    int processors = Runtime.getRuntime().availableProcessors();
    int workers = inference.workers().orElse(Math.max(1, processors / threads));
    int windowPieces =
        Math.min(
            metadata.maxWordPieces(),
            inference
                .windowPieces()
                .orElse(
                    hints.windowPieces() != null
                        ? hints.windowPieces()
                        : metadata.maxWordPieces()));
    return new ModelPipeline.Settings(
        threads, workers, maxBatchTokens, inference.maxWait(), inference.queueSize(), windowPieces);
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
   * Closes the sessions once nothing runs any more. Skipped when the JVM itself is exiting: ONNX
   * Runtime's own shutdown hook has released its environment then, and closing a session after that
   * would crash; the process is ending anyway.
   */
  @PreDestroy
  void close() {
    state.set(ModelState.STOPPING);
    Map<String, ModelPipeline> current = pipelines;
    pipelines = Map.of();
    if (!jvmShuttingDown()) {
      current.values().forEach(ModelPipeline::close);
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

  /** The current state of the service's models as a whole. */
  public ModelState state() {
    return state.get();
  }

  /** Why loading failed, or {@code null}. */
  public String failure() {
    return failure;
  }

  /**
   * A model's pipeline, when ready.
   *
   * @param name the model's name; {@code null} for the default model
   * @throws ServiceUnavailableException {@code NOT_READY} while loading, {@code SHUTTING_DOWN} once
   *     shutdown stops taking work
   * @throws InvalidRequestException 400 {@code UNKNOWN_MODEL} for a name that is not served
   */
  public ModelPipeline pipeline(String name) {
    ensureServing();
    ModelPipeline pipeline = pipelines.get(name == null ? defaultName : name);
    if (pipeline == null) {
      throw new InvalidRequestException(
          400, "UNKNOWN_MODEL", "no model named '" + name + "'; served: " + modelOrder);
    }
    return pipeline;
  }

  /**
   * Every served model in configuration order (empty before they are loaded).
   *
   * @throws ServiceUnavailableException as {@link #pipeline}
   */
  public List<ModelPipeline> pipelines() {
    ensureServing();
    Map<String, ModelPipeline> current = pipelines;
    return modelOrder.stream().map(current::get).toList();
  }

  /** The entity types of every served model (empty before they are loaded). */
  @Override
  public Set<String> known() {
    Set<String> types = new TreeSet<>();
    pipelines.values().forEach(p -> types.addAll(p.metadata().entityTypes()));
    return types;
  }

  /**
   * Whether every served model's queue is full, so that any recognition request would be refused:
   * the HTTP layer then refuses before reading the request's JSON ({@link Admission}).
   */
  public boolean everyQueueFull() {
    Map<String, ModelPipeline> current = pipelines;
    if (current.isEmpty()) {
      return false;
    }
    for (ModelPipeline pipeline : current.values()) {
      if (!pipeline.queueFull()) {
        return false;
      }
    }
    return true;
  }

  /** The default model's name ({@code null} before the models are loaded). */
  public String defaultName() {
    return defaultName;
  }

  private void ensureServing() {
    ModelState now = state.get();
    if (now == ModelState.STOPPING) {
      throw new ServiceUnavailableException(
          "SHUTTING_DOWN", "this replica is shutting down; retry on another one");
    }
    if (now == ModelState.LOADING || now == ModelState.FAILED || pipelines.isEmpty()) {
      throw new ServiceUnavailableException("NOT_READY", "the models are not loaded yet");
    }
  }
}
