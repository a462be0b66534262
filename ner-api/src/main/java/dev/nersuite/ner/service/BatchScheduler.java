package dev.nersuite.ner.service;

import dev.nersuite.ner.inference.BatchRunner;
import dev.nersuite.ner.observability.RequestTrace;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Dynamic batching for one model: the model rows of concurrent requests (and the windows of long
 * texts) wait in one bounded queue; dispatcher threads collect what arrives within {@code maxWait}
 * and hand it to the model's {@link BatchRunner}, which sorts it by length and runs it in ONNX
 * Runtime calls of at most its budget of padded tokens. Thread-safe.
 *
 * <p>Backpressure: the queue holds at most {@code maxQueuedRows} rows; a request that does not fit
 * is refused at once ({@code OVERLOADED}). A request whose deadline passed while it waited is
 * answered {@code TIMEOUT} and never run. Results never depend on batching: the contract requires
 * each row's emissions to be independent of its neighbours and its padding.
 */
final class BatchScheduler implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(BatchScheduler.class);

  /** One request's rows waiting to run. */
  private record Pending(
      List<long[]> rows,
      long deadlineNanos,
      long enqueuedNanos,
      CompletableFuture<float[][][]> result,
      RequestTrace trace) {}

  private final BatchRunner runner;
  private final int maxBatchTokens;
  private final long maxWaitNanos;
  private final int maxQueuedRows;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedRows = new AtomicInteger();
  private final List<Thread> dispatchers = new ArrayList<>();
  private volatile boolean running = true;

  private final MeterRegistry registry;
  private final Tags tags;
  private final Timer queueWait;
  private final DistributionSummary batchRows;
  private final DistributionSummary batchTokens;
  private final Timer batchTime;

  /**
   * @param runner the model's batching path
   * @param model the model's name, for metrics and thread names
   * @param dispatcherThreads threads that run batches
   * @param maxWait longest a batch waits for more rows once it has its first
   * @param maxQueuedRows most rows waiting; beyond, requests are refused
   */
  BatchScheduler(
      BatchRunner runner,
      String model,
      int dispatcherThreads,
      Duration maxWait,
      int maxQueuedRows,
      MeterRegistry registry) {
    this.runner = runner;
    this.maxBatchTokens = runner.maxBatchTokens();
    this.maxWaitNanos = maxWait.toNanos();
    this.maxQueuedRows = maxQueuedRows;
    this.registry = registry;
    this.tags = Tags.of("model", model);
    this.queueWait =
        Timer.builder("ner.queue.wait")
            .description("Time a request's rows waited before their batch started")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
    this.batchRows =
        DistributionSummary.builder("ner.batch.rows")
            .description("Rows (windows) per ONNX Runtime call")
            .tags(tags)
            .publishPercentileHistogram()
            .register(registry);
    this.batchTokens =
        DistributionSummary.builder("ner.batch.tokens")
            .description("Padded tokens per ONNX Runtime call")
            .tags(tags)
            .register(registry);
    this.batchTime =
        Timer.builder("ner.batch")
            .description("Time of one ONNX Runtime call (a batch of rows)")
            .tags(tags)
            .register(registry);
    registry.gauge("ner.queue.depth", tags, queuedRows);
    for (int i = 0; i < dispatcherThreads; i++) {
      Thread thread = new Thread(this::dispatch, "ner-batcher-" + model + "-" + (i + 1));
      thread.setDaemon(true);
      thread.start();
      dispatchers.add(thread);
    }
  }

  /**
   * Queues a request's rows.
   *
   * @param rows the rows, each {@code [CLS] ... [SEP]}
   * @param deadlineNanos {@link System#nanoTime()} after which the request is not run any more
   * @return emissions per row, in the order of {@code rows}
   * @throws ServiceUnavailableException {@code OVERLOADED} when the queue cannot take the rows
   */
  CompletableFuture<float[][][]> submit(List<long[]> rows, long deadlineNanos) {
    return submit(rows, deadlineNanos, RequestTrace.none());
  }

  /** Queues a request's rows, reporting their queue wait and inference to {@code trace}. */
  CompletableFuture<float[][][]> submit(List<long[]> rows, long deadlineNanos, RequestTrace trace) {
    int count = rows.size();
    int now;
    do {
      now = queuedRows.get();
      // A request larger than the whole queue is still taken when the queue is empty.
      if (now > 0 && now + count > maxQueuedRows) {
        rejected("overloaded");
        throw ServiceUnavailableException.overloaded();
      }
    } while (!queuedRows.compareAndSet(now, now + count));
    CompletableFuture<float[][][]> result = new CompletableFuture<>();
    trace.queued();
    queue.add(new Pending(rows, deadlineNanos, System.nanoTime(), result, trace));
    return result;
  }

  /** Whether a request of {@code rows} rows would be refused now (see {@link #submit}). */
  boolean wouldRefuse(int rows) {
    int now = queuedRows.get();
    return now > 0 && now + rows > maxQueuedRows;
  }

  /** Whether every request would be refused now: the queue holds its bound of rows or more. */
  boolean isFull() {
    int now = queuedRows.get();
    return now > 0 && now >= maxQueuedRows;
  }

  private void rejected(String reason) {
    registry.counter("ner.rejected", tags.and("reason", reason)).increment();
  }

  private void dispatch() {
    while (running) {
      List<Pending> batch;
      try {
        batch = collect();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      try {
        run(batch);
      } catch (RuntimeException e) {
        LOG.error("a batch failed", e);
        batch.forEach(pending -> pending.result().completeExceptionally(e));
      }
    }
  }

  /** Takes the first waiting request, then whatever else arrives within the wait budget. */
  private List<Pending> collect() throws InterruptedException {
    Pending first = queue.take();
    List<Pending> batch = new ArrayList<>();
    batch.add(first);
    long tokens = tokens(first);
    long waitUntil = System.nanoTime() + maxWaitNanos;
    while (tokens < maxBatchTokens) {
      Pending next = queue.poll();
      if (next == null) {
        long remaining = waitUntil - System.nanoTime();
        if (remaining <= 0) {
          break;
        }
        next = queue.poll(remaining, TimeUnit.NANOSECONDS);
        if (next == null) {
          break;
        }
      }
      batch.add(next);
      tokens += tokens(next);
    }
    return batch;
  }

  private static long tokens(Pending pending) {
    long sum = 0;
    for (long[] row : pending.rows()) {
      sum += row.length;
    }
    return sum;
  }

  private void run(List<Pending> batch) {
    long started = System.nanoTime();
    List<Pending> live = new ArrayList<>(batch.size());
    for (Pending pending : batch) {
      queuedRows.addAndGet(-pending.rows().size());
      queueWait.record(started - pending.enqueuedNanos(), TimeUnit.NANOSECONDS);
      pending.trace().batchStarted(started);
      if (pending.result().isDone()) {
        continue; // its client gave up (a timeout, counted there): not computed, not counted again
      }
      if (started > pending.deadlineNanos()) {
        rejected("timeout");
        pending.result().completeExceptionally(ServiceUnavailableException.timeout());
      } else {
        live.add(pending);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    long[] paddedTokens = {0};
    List<float[][][]> emissions =
        runner.run(
            live.stream().map(Pending::rows).toList(),
            (rows, tokens, nanos) -> {
              batchRows.record(rows);
              batchTokens.record(tokens);
              batchTime.record(nanos, TimeUnit.NANOSECONDS);
              paddedTokens[0] += tokens;
            });
    int allRows = emissions.stream().mapToInt(e -> e.length).sum();
    for (int i = 0; i < live.size(); i++) {
      Pending pending = live.get(i);
      pending.trace().batchFinished(pending.rows().size(), allRows, paddedTokens[0]);
      pending.result().complete(emissions.get(i));
    }
  }

  /** Stops the dispatchers; requests still queued are failed as not ready. */
  @Override
  public void close() {
    running = false;
    dispatchers.forEach(Thread::interrupt);
    Pending pending;
    while ((pending = queue.poll()) != null) {
      pending
          .result()
          .completeExceptionally(
              new ServiceUnavailableException("NOT_READY", "the service is shutting down"));
    }
  }
}
