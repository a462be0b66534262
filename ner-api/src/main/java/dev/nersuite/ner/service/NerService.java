package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.dictionary.DictionaryService;
import dev.nersuite.ner.dictionary.UserDictionary;
import dev.nersuite.ner.inference.Entity;
import dev.nersuite.ner.inference.PreparedText;
import dev.nersuite.ner.observability.RequestTrace;
import dev.nersuite.ner.observability.RequestTracing;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Recognition as the API offers it: checks a request, admits it ({@link Admission}), answers
 * repeated texts from the {@link ResultCache}, runs the rest through the chosen model's {@link
 * ModelPipeline}, and applies the dictionary and the request's filters ({@link PostProcessor}).
 * Thread-safe.
 *
 * <p>Short requests are tokenized on the calling (event-loop) thread, where it takes microseconds
 * and a hop to the worker pool would cost more under load; long ones on the worker pool. Inference
 * and decoding run on the model's scheduler threads, so a request crosses threads twice: to a batch
 * and back.
 */
@ApplicationScoped
public class NerService {
  /**
   * Requests with at most this many characters in total (a sentence or a few) are tokenized on the
   * event loop, which takes tens of microseconds and saves a hop to the worker pool (about 10% more
   * throughput with sentence traffic). Longer ones go to the worker pool: with 1,600-character
   * batches tokenized inline, the HA suite's overload saw 503s slow down from 45 to 550 ms (p50),
   * as refusals waited behind tokenizing on the same event loop.
   */
  static final int INLINE_TOKENIZE_CHARS = 512;

  /**
   * The answer to a request.
   *
   * @param model the name of the model that answered
   * @param modelVersion its version
   * @param results the entities of each text, in input order
   */
  public record Recognition(String model, String modelVersion, List<List<Mention>> results) {}

  @Inject NerConfig config;
  @Inject ModelRegistry models;
  @Inject Admission admission;
  @Inject ResultCache cache;
  @Inject DictionaryService dictionary;
  @Inject MeterRegistry registry;
  @Inject RequestTracing tracing;

  private DistributionSummary requestTexts;

  @PostConstruct
  void start() {
    requestTexts =
        DistributionSummary.builder("ner.request.texts")
            .description("Texts per request")
            .publishPercentileHistogram()
            .register(registry);
  }

  /** Recognizes one text. */
  public Uni<Recognition> recognize(String text, RecognitionOptions options) {
    RequestValidator.checkText(text, "text", config.limits());
    return submit(List.of(text), options);
  }

  /** Recognizes a batch of texts; results in input order. */
  public Uni<Recognition> recognizeBatch(List<String> texts, RecognitionOptions options) {
    RequestValidator.checkBatch(texts, config.limits());
    return submit(texts, options);
  }

  /** The served models in configuration order; 503 while they load. */
  public List<ModelDescription> models() {
    return models.pipelines().stream().map(ModelPipeline::describe).toList();
  }

  /** A served model; 503 while they load, 404 {@code MODEL_NOT_FOUND} for a name not served. */
  public ModelDescription model(String name) {
    for (ModelPipeline pipeline : models.pipelines()) {
      if (pipeline.name().equals(name)) {
        return pipeline.describe();
      }
    }
    throw new InvalidRequestException(
        404, "MODEL_NOT_FOUND", "no model named '" + name + "'; see /api/v1/models");
  }

  /** The default model; 503 while the models load. */
  public ModelDescription defaultModelDescription() {
    return models.pipeline(null).describe();
  }

  /** The default model's name; 503 while the models load. */
  public String defaultModel() {
    models.pipelines(); // 503 when not serving
    return models.defaultName();
  }

  /** Requests admitted and not yet answered; graceful shutdown waits for this to reach 0. */
  public int inFlight() {
    return admission.inFlight();
  }

  /**
   * Chooses the model (400 {@code UNKNOWN_MODEL}, 503 while loading), checks the options against
   * it, admits the request (503 {@code OVERLOADED}) and runs it: tokenized inline when short (see
   * {@link #INLINE_TOKENIZE_CHARS}), queued for batching.
   */
  private Uni<Recognition> submit(List<String> texts, RecognitionOptions options) {
    RequestTrace trace = tracing.start();
    ModelPipeline pipeline = models.pipeline(options.model());
    // What the model finds and what the dictionary may force: a type only a dictionary line gives
    // (say ORG, for a model of GPE/LOC/PER) can be asked for too.
    options.validate(
        new HashSet<>(pipeline.metadata().entityTypes()), dictionary.current().forcedTypes());
    // Counted before the work, so a drain that begins now waits for this request.
    admission.admit();
    try {
      trace.admitted(pipeline.name());
      Uni<Recognition> work = Uni.createFrom().deferred(() -> run(pipeline, texts, options, trace));
      if (texts.stream().mapToInt(String::length).sum() > INLINE_TOKENIZE_CHARS) {
        work = work.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
      }
      return work.onTermination().invoke(admission::release);
    } catch (RuntimeException e) {
      admission.release();
      throw e;
    }
  }

  private Uni<Recognition> run(
      ModelPipeline pipeline, List<String> texts, RecognitionOptions options, RequestTrace trace) {
    long started = System.nanoTime();
    long deadline = started + config.inference().requestTimeout().toNanos();
    requestTexts.record(texts.size());
    String model = pipeline.name();
    List<List<Entity>> entities = new ArrayList<>(texts.size());
    List<Integer> misses = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      List<Entity> cached = cache.get(model, texts.get(i));
      entities.add(cached);
      if (cached == null) {
        misses.add(i);
      }
    }
    // Each text to compute is at least one row: when the model's queue cannot take even that many,
    // the request is refused before it is tokenized. Tokenizing work that the queue then refuses
    // took the CPU from admitted requests (the HA suite's overload: 6,400-character batches
    // tokenized, then refused).
    if (!misses.isEmpty() && pipeline.refusesRows(misses.size())) {
      throw ServiceUnavailableException.overloaded();
    }
    List<PreparedText> prepared = new ArrayList<>(misses.size());
    for (int index : misses) {
      prepared.add(pipeline.prepare(texts.get(index)));
    }
    List<long[]> rows = new ArrayList<>();
    prepared.forEach(text -> rows.addAll(text.rows()));
    trace.tokenized(started, texts, rows);
    UserDictionary userDictionary = dictionary.current(); // one version for the whole request
    if (misses.isEmpty()) {
      return Uni.createFrom().item(finish(pipeline, texts, entities, userDictionary, options));
    }
    CompletableFuture<List<List<Entity>>> queued = pipeline.recognize(prepared, deadline, trace);
    CompletableFuture<Recognition> done =
        queued.thenApply(
            found -> {
              for (int m = 0; m < misses.size(); m++) {
                int index = misses.get(m);
                entities.set(index, found.get(m));
                cache.put(model, texts.get(index), found.get(m));
              }
              return finish(pipeline, texts, entities, userDictionary, options);
            });
    return Uni.createFrom()
        .completionStage(done)
        .onFailure(CompletionException.class)
        .transform(Throwable::getCause)
        .ifNoItem()
        .after(config.inference().requestTimeout())
        .failWith(
            () -> {
              queued.cancel(false); // if still queued, the scheduler skips it
              pipeline.countRejected("timeout");
              return ServiceUnavailableException.timeout();
            });
  }

  private static Recognition finish(
      ModelPipeline pipeline,
      List<String> texts,
      List<List<Entity>> entities,
      UserDictionary dictionary,
      RecognitionOptions options) {
    List<List<Mention>> results = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      List<Mention> mentions =
          PostProcessor.apply(texts.get(i), entities.get(i), dictionary, options);
      pipeline.countEntities(mentions);
      results.add(mentions);
    }
    return new Recognition(pipeline.name(), pipeline.metadata().version(), results);
  }
}
