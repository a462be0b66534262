package dev.nersuite.ner.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nersuite.ner.inference.Entity;
import dev.nersuite.ner.inference.EntityRecognizer;
import dev.nersuite.ner.inference.PreparedText;
import dev.nersuite.ner.inference.TestBundles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The scheduler on real ONNX Runtime with the lookup bundle (see make_lookup_bundle.py). */
class BatchSchedulerTest {
  private static EntityRecognizer recognizer;

  @BeforeAll
  static void open() {
    recognizer = TestBundles.lookup().open(1, 256);
  }

  @AfterAll
  static void close() {
    recognizer.close();
  }

  private static long inAMinute() {
    return System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
  }

  @Test
  void concurrentRequestsAreBatchedTogetherAndGetTheirOwnResults() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BatchScheduler scheduler =
        new BatchScheduler(
            recognizer.batchRunner(), "lookup", 1, Duration.ofMillis(50), 1000, registry)) {
      List<String> texts = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        texts.add("的".repeat(i) + "李明在京" + "甲乙".repeat(i % 3) + "。".repeat(i % 7));
      }
      List<PreparedText> prepared = texts.stream().map(recognizer::prepare).toList();
      List<CompletableFuture<float[][][]>> futures = new ArrayList<>();
      for (PreparedText text : prepared) {
        futures.add(scheduler.submit(text.rows(), inAMinute()));
      }
      for (int i = 0; i < texts.size(); i++) {
        List<Entity> batched =
            recognizer.decode(prepared.get(i), futures.get(i).get(1, TimeUnit.MINUTES));
        assertThat(batched).isEqualTo(recognizer.recognize(List.of(texts.get(i))).get(0));
        assertThat(batched).extracting(Entity::span).contains("李明", "京");
      }
      // 40 requests arrived within the wait: calls held several rows each.
      assertThat(registry.get("ner.batch.rows").tag("model", "lookup").summary().max())
          .isGreaterThan(1);
      assertThat(registry.get("ner.batch.rows").summary().count()).isLessThan(40);
    }
  }

  @Test
  void aFullQueueRefusesAtOnceWithOverloaded() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    // No dispatcher threads: nothing leaves the queue.
    try (BatchScheduler scheduler =
        new BatchScheduler(recognizer.batchRunner(), "lookup", 0, Duration.ZERO, 3, registry)) {
      List<long[]> rows = recognizer.prepare("京").rows();
      scheduler.submit(rows, inAMinute());
      scheduler.submit(rows, inAMinute());
      // the cheap checks before tokenizing (NerService) and before parsing (Admission) agree
      assertThat(scheduler.wouldRefuse(1)).isFalse();
      assertThat(scheduler.wouldRefuse(2)).isTrue();
      assertThat(scheduler.isFull()).isFalse();
      scheduler.submit(rows, inAMinute());
      assertThat(scheduler.wouldRefuse(1)).isTrue();
      assertThat(scheduler.isFull()).isTrue();
      assertThatThrownBy(() -> scheduler.submit(rows, inAMinute()))
          .isInstanceOf(ServiceUnavailableException.class)
          .extracting(e -> ((ServiceUnavailableException) e).code())
          .isEqualTo("OVERLOADED");
      assertThat(
              registry
                  .get("ner.rejected")
                  .tags("model", "lookup", "reason", "overloaded")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("ner.queue.depth").gauge().value()).isEqualTo(3);
    }
  }

  @Test
  void aRequestPastItsDeadlineIsNotRun() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (BatchScheduler scheduler =
        new BatchScheduler(recognizer.batchRunner(), "lookup", 1, Duration.ZERO, 100, registry)) {
      CompletableFuture<float[][][]> late =
          scheduler.submit(recognizer.prepare("京").rows(), System.nanoTime() - 1);
      assertThatThrownBy(() -> late.get(1, TimeUnit.MINUTES))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(ServiceUnavailableException.class)
          .hasMessageContaining("deadline");
      assertThat(
              registry
                  .get("ner.rejected")
                  .tags("model", "lookup", "reason", "timeout")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }
}
