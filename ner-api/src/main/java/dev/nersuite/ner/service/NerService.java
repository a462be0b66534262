package dev.nersuite.ner.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.inference.Entity;
import dev.nersuite.ner.inference.EntityRecognizer;
import dev.nersuite.ner.inference.PreparedText;
import dev.nersuite.ner.observability.RequestTrace;
import dev.nersuite.ner.observability.RequestTracing;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Checks requests against the limits, answers repeated texts from a bounded cache, and runs the
 * rest through the {@link BatchScheduler}, which batches the rows of concurrent requests.
 * Thread-safe.
 *
 * <p>Short requests are tokenized on the calling (event-loop) thread, where it takes microseconds
 * and a hop to the worker pool would cost more under load; long ones on the worker pool. Inference
 * and decoding run on the scheduler's threads, so a request crosses threads twice: to a batch and
 * back.
 */
@ApplicationScoped
public class NerService {
  private static final Logger LOG = Logger.getLogger(NerService.class);

  /**
   * Requests with at most this many characters in total (a sentence or a few) are tokenized on the
   * event loop, which takes tens of microseconds and saves a hop to the worker pool (about 10% more
   * throughput with sentence traffic). Longer ones go to the worker pool: with 1,600-character
   * batches tokenized inline, the HA suite's overload saw 503s slow down from 45 to 550 ms (p50),
   * as refusals waited behind tokenizing on the same event loop.
   */
  static final int INLINE_TOKENIZE_CHARS = 512;

  /** Admitted requests per worker when {@code ner.inference.max-in-flight} is unset. */
  static final int IN_FLIGHT_PER_WORKER = 32;

  @Inject NerConfig config;
  @Inject ModelHolder model;
  @Inject MeterRegistry registry;
  @Inject RequestTracing tracing;

  private final AtomicInteger inFlight = new AtomicInteger();
  private int maxInFlight;
  private BatchScheduler scheduler;
  private Cache<String, List<Entity>> cache;
  private Timer requestTimer;
  private DistributionSummary requestTexts;
  private Counter characters;

  @PostConstruct
  void start() {
    NerConfig.Inference inference = config.inference();
    int workers = inference.workers().orElse(defaultWorkers(inference));
    maxInFlight = inference.maxInFlight().orElse(IN_FLIGHT_PER_WORKER * workers);
    scheduler =
        new BatchScheduler(
            model::recognizer,
            workers,
            inference.maxBatchTokens(),
            inference.maxWait(),
            inference.queueSize(),
            registry);
    // One line with what the defaults resolved to, for operators and the benchmark.
    LOG.infof(
        "inference: %d worker(s) x %d ONNX Runtime thread(s), max in flight %d, queue %d rows,"
            + " batches of at most %d tokens, max wait %d ms",
        workers,
        inference.intraOpThreads(),
        maxInFlight,
        inference.queueSize(),
        inference.maxBatchTokens(),
        inference.maxWait().toMillis());
    if (config.cache().size() > 0) {
      cache = Caffeine.newBuilder().maximumSize(config.cache().size()).recordStats().build();
      CaffeineCacheMetrics.monitor(registry, cache, "ner.results");
    }
    requestTimer =
        Timer.builder("ner.inference")
            .description("Time from queuing a request's rows to its decoded entities")
            .publishPercentileHistogram()
            .register(registry);
    requestTexts =
        DistributionSummary.builder("ner.request.texts")
            .description("Texts per request")
            .publishPercentileHistogram()
            .register(registry);
    registry.gauge("ner.requests.in.flight", inFlight);
    characters =
        Counter.builder("ner.characters")
            .description("Code points recognized")
            .baseUnit("characters")
            .register(registry);
  }

  /**
   * One worker per group of ORT threads, so workers times threads never oversubscribes the CPUs:
   * with the defaults (1 ORT thread) that is one worker per CPU.
   */
  static int defaultWorkers(NerConfig.Inference inference) {
    int processors = Runtime.getRuntime().availableProcessors();
    return Math.max(1, processors / inference.intraOpThreads());
  }

  @PreDestroy
  void stop() {
    scheduler.close();
  }

  /** Recognizes one text. */
  public Uni<List<Entity>> recognize(String text) {
    RequestValidator.checkText(text, "text", config.limits());
    return submit(List.of(text)).map(results -> results.get(0));
  }

  /** Recognizes a batch of texts; results in input order. */
  public Uni<List<List<Entity>>> recognizeBatch(List<String> texts) {
    RequestValidator.checkBatch(texts, config.limits());
    return submit(texts);
  }

  /** The served model's recognizer, for model information; 503 when not ready. */
  public EntityRecognizer recognizer() {
    return model.recognizer();
  }

  static ServiceUnavailableException timeout() {
    return new ServiceUnavailableException(
        "TIMEOUT", "the request did not finish within the service's deadline");
  }

  /**
   * Whether a request arriving now would be refused for the in-flight bound; counts the refusal
   * when so. A cheap pre-check for the HTTP layer ({@code rest.OverloadGuard}), so refused requests
   * are not even parsed; {@link #recognize} checks the bound again, exactly.
   */
  public boolean refusesForCapacity() {
    if (inFlight.get() < maxInFlight) {
      return false;
    }
    countRejected("overloaded");
    return true;
  }

  private void countRejected(String reason) {
    registry.counter("ner.rejected", "reason", reason).increment();
  }

  /** Requests admitted and not yet answered; graceful shutdown waits for this to reach 0. */
  public int inFlight() {
    return inFlight.get();
  }

  /**
   * Admits or refuses a request on the calling (event-loop) thread, so overload is shed at once,
   * then tokenizes (inline when short, see {@link #INLINE_TOKENIZE_CHARS}) and queues the rows for
   * batching.
   */
  private Uni<List<List<Entity>>> submit(List<String> texts) {
    RequestTrace trace = tracing.start();
    // Counted before the state check, so a drain that begins now waits for this request.
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      countRejected("overloaded");
      throw ServiceUnavailableException.overloaded();
    }
    try {
      EntityRecognizer recognizer = model.recognizer(); // 503 NOT_READY / SHUTTING_DOWN
      trace.admitted(recognizer.metadata().name());
      Uni<List<List<Entity>>> work = Uni.createFrom().deferred(() -> run(recognizer, texts, trace));
      if (texts.stream().mapToInt(String::length).sum() > INLINE_TOKENIZE_CHARS) {
        work = work.runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
      }
      return work.onTermination().invoke(inFlight::decrementAndGet);
    } catch (RuntimeException e) {
      inFlight.decrementAndGet();
      throw e;
    }
  }

  private Uni<List<List<Entity>>> run(
      EntityRecognizer recognizer, List<String> texts, RequestTrace trace) {
    long started = System.nanoTime();
    long deadline = started + config.inference().requestTimeout().toNanos();
    requestTexts.record(texts.size());
    List<List<Entity>> results = new ArrayList<>(texts.size());
    List<Integer> misses = new ArrayList<>();
    List<PreparedText> prepared = new ArrayList<>();
    List<long[]> rows = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      characters.increment(text.codePointCount(0, text.length()));
      List<Entity> cached = cacheable(text) ? cache.getIfPresent(text) : null;
      results.add(cached);
      if (cached == null) {
        PreparedText preparedText = recognizer.prepare(text);
        misses.add(i);
        prepared.add(preparedText);
        rows.addAll(preparedText.rows());
      }
    }
    trace.tokenized(started, texts, rows);
    if (misses.isEmpty()) {
      countEntities(results);
      return Uni.createFrom().item(results);
    }
    CompletableFuture<float[][][]> queued = scheduler.submit(rows, deadline, trace);
    // Decoded on the scheduler thread that completes the batch: Viterbi over a row costs far less
    // than inference, and another hop to a pool would add its queueing to every request.
    CompletableFuture<List<List<Entity>>> done =
        queued.thenApply(
            emissions -> {
              long decoding = System.nanoTime();
              int next = 0;
              for (int m = 0; m < misses.size(); m++) {
                PreparedText text = prepared.get(m);
                int count = text.rows().size();
                float[][][] own = new float[count][][];
                System.arraycopy(emissions, next, own, 0, count);
                next += count;
                List<Entity> entities = recognizer.decode(text, own);
                results.set(misses.get(m), entities);
                if (cacheable(text.text())) {
                  cache.put(text.text(), entities);
                }
              }
              trace.decoded(decoding, results.stream().mapToInt(List::size).sum());
              requestTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
              countEntities(results);
              return results;
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
              countRejected("timeout");
              return timeout();
            });
  }

  private boolean cacheable(String text) {
    return cache != null && text.length() <= config.cache().maxTextChars();
  }

  private void countEntities(List<List<Entity>> results) {
    for (List<Entity> entities : results) {
      for (Entity entity : entities) {
        registry.counter("ner.entities", "type", entity.type()).increment();
      }
    }
  }
}
