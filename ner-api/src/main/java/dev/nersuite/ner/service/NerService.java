package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.inference.Entity;
import dev.nersuite.ner.inference.EntityRecognizer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks a request against the limits and runs recognition on a bounded pool of inference workers,
 * off the HTTP event loop. Thread-safe.
 *
 * <p>Backpressure: when every worker is busy and the queue is full, a request is refused at once
 * with 503 {@code OVERLOADED}; a request that waited past its deadline is answered 503 {@code
 * TIMEOUT} and its work is skipped if it has not started.
 */
@ApplicationScoped
public class NerService {
  @Inject NerConfig config;
  @Inject ModelHolder model;
  @Inject MeterRegistry registry;

  private ThreadPoolExecutor workers;
  private final AtomicInteger queued = new AtomicInteger();
  private Timer inferenceTimer;
  private DistributionSummary batchTexts;
  private Counter characters;

  @PostConstruct
  void start() {
    int threads = config.inference().workers().orElse(Runtime.getRuntime().availableProcessors());
    AtomicInteger number = new AtomicInteger();
    workers =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(config.inference().queueSize()),
            task -> {
              Thread thread = new Thread(task, "ner-inference-" + number.incrementAndGet());
              thread.setDaemon(true);
              return thread;
            },
            new ThreadPoolExecutor.AbortPolicy());
    inferenceTimer =
        Timer.builder("ner.inference")
            .description("Time to run recognition for one request, queue wait excluded")
            .publishPercentileHistogram()
            .register(registry);
    batchTexts =
        DistributionSummary.builder("ner.request.texts")
            .description("Texts per request")
            .publishPercentileHistogram()
            .register(registry);
    characters =
        Counter.builder("ner.characters")
            .description("Code points recognized")
            .baseUnit("characters")
            .register(registry);
    registry.gauge("ner.queue.depth", queued);
  }

  @PreDestroy
  void stop() {
    workers.shutdown();
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

  private Uni<List<List<Entity>>> submit(List<String> texts) {
    EntityRecognizer recognizer = model.recognizer(); // 503 NOT_READY before queuing anything
    long deadline = System.nanoTime() + config.inference().requestTimeout().toNanos();
    return Uni.createFrom()
        .<List<List<Entity>>>emitter(
            emitter -> {
              try {
                queued.incrementAndGet();
                workers.execute(
                    () -> {
                      queued.decrementAndGet();
                      if (System.nanoTime() > deadline) {
                        emitter.fail(timeout());
                        return;
                      }
                      try {
                        emitter.complete(run(recognizer, texts));
                      } catch (RuntimeException e) {
                        emitter.fail(e);
                      }
                    });
              } catch (RejectedExecutionException e) {
                queued.decrementAndGet();
                registry.counter("ner.rejected", "reason", "overloaded").increment();
                emitter.fail(
                    new ServiceUnavailableException(
                        "OVERLOADED", "the service is at capacity; retry shortly"));
              }
            })
        .ifNoItem()
        .after(config.inference().requestTimeout())
        .failWith(this::timeout);
  }

  private ServiceUnavailableException timeout() {
    registry.counter("ner.rejected", "reason", "timeout").increment();
    return new ServiceUnavailableException(
        "TIMEOUT", "the request did not finish within the service's deadline");
  }

  private List<List<Entity>> run(EntityRecognizer recognizer, List<String> texts) {
    long started = System.nanoTime();
    List<List<Entity>> results = recognizer.recognize(texts);
    inferenceTimer.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    batchTexts.record(texts.size());
    for (String text : texts) {
      characters.increment(text.codePointCount(0, text.length()));
    }
    for (List<Entity> entities : results) {
      for (Entity entity : entities) {
        registry.counter("ner.entities", "type", entity.type()).increment();
      }
    }
    return results;
  }
}
