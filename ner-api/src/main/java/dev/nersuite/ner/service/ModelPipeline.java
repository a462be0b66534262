package dev.nersuite.ner.service;

import dev.nersuite.ner.inference.Entity;
import dev.nersuite.ner.inference.EntityRecognizer;
import dev.nersuite.ner.inference.ModelMetadata;
import dev.nersuite.ner.inference.PreparedText;
import dev.nersuite.ner.observability.RequestTrace;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One served model: its recognizer, its own {@link BatchScheduler} (so one model's traffic never
 * queues behind another's rows) and its metrics, tagged {@code model=<name>}. Text in, the model's
 * entities out; dictionary and filters come after ({@link PostProcessor}). Thread-safe.
 */
public final class ModelPipeline implements AutoCloseable {

  /**
   * How a model runs.
   *
   * @param intraOpThreads ONNX Runtime intra-op threads per call
   * @param workers threads that run batches
   * @param maxBatchTokens most padded tokens per ONNX Runtime call
   * @param maxWait longest a batch waits for more rows once it has its first
   * @param queueSize most rows waiting
   * @param windowPieces longest window of a long text, in word-pieces
   */
  public record Settings(
      int intraOpThreads,
      int workers,
      int maxBatchTokens,
      Duration maxWait,
      int queueSize,
      int windowPieces) {}

  private final EntityRecognizer recognizer;
  private final Settings settings;
  private final BatchScheduler scheduler;
  private final Timer inference;
  private final Counter characters;
  private final MeterRegistry registry;
  private final Tags tags;

  ModelPipeline(EntityRecognizer recognizer, Settings settings, MeterRegistry registry) {
    this.recognizer = recognizer;
    this.settings = settings;
    this.registry = registry;
    this.tags = Tags.of("model", recognizer.metadata().name());
    this.scheduler =
        new BatchScheduler(
            recognizer.batchRunner(),
            recognizer.metadata().name(),
            settings.workers(),
            settings.maxWait(),
            settings.queueSize(),
            registry);
    this.inference =
        Timer.builder("ner.inference")
            .description("Time from queuing a request's rows to its decoded entities")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
    // the refusals a model's own queue and deadline decide, at 0 from the start (ratios and alerts
    // need a series before the first refusal)
    for (String reason : new String[] {"overloaded", "timeout"}) {
      registry.counter("ner.rejected", tags.and("reason", reason));
    }
    this.characters =
        Counter.builder("ner.characters")
            .description("Code points recognized")
            .baseUnit("characters")
            .tags(tags)
            .register(registry);
  }

  /** The model's name. */
  public String name() {
    return recognizer.metadata().name();
  }

  /** The bundle's metadata. */
  public ModelMetadata metadata() {
    return recognizer.metadata();
  }

  /** How it runs. */
  public Settings settings() {
    return settings;
  }

  /** What the API says about it. */
  public ModelDescription describe() {
    return ModelDescription.of(recognizer.metadata(), settings);
  }

  /** Tokenizes a text and cuts it into rows (cheap; the caller chooses the thread). */
  PreparedText prepare(String text) {
    characters.increment(text.codePointCount(0, text.length()));
    return recognizer.prepare(text);
  }

  /**
   * Queues the texts' rows for batching with other requests' rows; the entities are decoded on the
   * scheduler thread that completes the batch (Viterbi over a row costs far less than inference,
   * and another hop to a pool would add its queueing to every request).
   *
   * @param texts prepared texts
   * @param trace the request's spans
   * @param deadlineNanos {@link System#nanoTime()} after which the request is not run any more
   * @return the entities of each text, in order
   * @throws ServiceUnavailableException {@code OVERLOADED} when the queue cannot take the rows
   */
  CompletableFuture<List<List<Entity>>> recognize(
      List<PreparedText> texts, long deadlineNanos, RequestTrace trace) {
    long started = System.nanoTime();
    List<long[]> rows = new ArrayList<>();
    texts.forEach(text -> rows.addAll(text.rows()));
    CompletableFuture<float[][][]> queued = scheduler.submit(rows, deadlineNanos, trace);
    CompletableFuture<List<List<Entity>>> decoded =
        queued.thenApply(
            emissions -> {
              long decoding = System.nanoTime();
              List<List<Entity>> results = new ArrayList<>(texts.size());
              int next = 0;
              for (PreparedText text : texts) {
                float[][][] own = new float[text.rows().size()][][];
                System.arraycopy(emissions, next, own, 0, own.length);
                next += own.length;
                results.add(recognizer.decode(text, own));
              }
              trace.decoded(decoding, results.stream().mapToInt(List::size).sum());
              inference.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              return results;
            });
    // Cancelling the result (a timed-out request) cancels the queued rows: the scheduler skips
    // them.
    decoded.whenComplete(
        (ignored, failure) -> {
          if (decoded.isCancelled()) {
            queued.cancel(false);
          }
        });
    return decoded;
  }

  /**
   * Whether the model's queue would refuse a request of {@code rows} rows now; counts the refusal
   * when so. A cheap check before tokenizing ({@link BatchScheduler#submit} checks exactly later).
   */
  boolean refusesRows(int rows) {
    if (!scheduler.wouldRefuse(rows)) {
      return false;
    }
    countRejected("overloaded");
    return true;
  }

  /** Whether the model's queue is full: any request for it would be refused now. */
  boolean queueFull() {
    return scheduler.isFull();
  }

  /** Runs one text straight through the batching path, before the model reports ready. */
  void warmUp(String text) {
    recognizer.recognize(List.of(text));
  }

  /** Counts a refusal of this model's work (queue full, deadline passed). */
  void countRejected(String reason) {
    registry.counter("ner.rejected", tags.and("reason", reason)).increment();
  }

  /** Counts the entities returned for this model, by type and source. */
  void countEntities(List<Mention> mentions) {
    for (Mention mention : mentions) {
      registry
          .counter(
              "ner.entities", tags.and("type", mention.type(), "source", mention.source().label()))
          .increment();
    }
  }

  /** Stops the scheduler; the recognizer is closed by its owner after requests drained. */
  @Override
  public void close() {
    scheduler.close();
    recognizer.close();
  }
}
