package dev.nersuite.ner.service;

import dev.nersuite.ner.inference.BatchPlanner;
import dev.nersuite.ner.inference.EntityRecognizer;
import dev.nersuite.ner.observability.RequestTrace;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Dynamic batching: the model rows of concurrent requests (and the windows of long texts) wait in
 * one bounded queue; dispatcher threads collect what arrives within {@code maxWait}, sort it by
 * length and run it in ONNX Runtime calls of at most {@code maxBatchTokens} padded tokens.
 * Thread-safe.
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

  private final Supplier<EntityRecognizer> recognizer;
  private final int maxBatchTokens;
  private final long maxWaitNanos;
  private final int maxQueuedRows;
  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final AtomicInteger queuedRows = new AtomicInteger();
  private final List<Thread> dispatchers = new ArrayList<>();
  private volatile boolean running = true;

  private final MeterRegistry registry;
  private final Timer queueWait;
  private final DistributionSummary batchRows;
  private final DistributionSummary batchTokens;
  private final Timer batchTime;

  /**
   * @param recognizer the served model, looked up when a batch runs
   * @param dispatcherThreads threads that run batches
   * @param maxBatchTokens most padded tokens in one ONNX Runtime call
   * @param maxWait longest a batch waits for more rows once it has its first
   * @param maxQueuedRows most rows waiting; beyond, requests are refused
   */
  BatchScheduler(
      Supplier<EntityRecognizer> recognizer,
      int dispatcherThreads,
      int maxBatchTokens,
      Duration maxWait,
      int maxQueuedRows,
      MeterRegistry registry) {
    this.recognizer = recognizer;
    this.maxBatchTokens = maxBatchTokens;
    this.maxWaitNanos = maxWait.toNanos();
    this.maxQueuedRows = maxQueuedRows;
    this.registry = registry;
    this.queueWait =
        Timer.builder("ner.queue.wait")
            .description("Time a request's rows waited before their batch started")
            .publishPercentileHistogram()
            .register(registry);
    this.batchRows =
        DistributionSummary.builder("ner.batch.rows")
            .description("Rows (windows) per ONNX Runtime call")
            .publishPercentileHistogram()
            .register(registry);
    this.batchTokens =
        DistributionSummary.builder("ner.batch.tokens")
            .description("Padded tokens per ONNX Runtime call")
            .register(registry);
    this.batchTime =
        Timer.builder("ner.batch")
            .description("Time of one ONNX Runtime call (a batch of rows)")
            .register(registry);
    registry.gauge("ner.queue.depth", queuedRows);
    for (int i = 0; i < dispatcherThreads; i++) {
      Thread thread = new Thread(this::dispatch, "ner-batcher-" + (i + 1));
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

  private void rejected(String reason) {
    registry.counter("ner.rejected", "reason", reason).increment();
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
      if (started > pending.deadlineNanos()) {
        rejected("timeout");
        pending.result().completeExceptionally(NerService.timeout());
      } else if (!pending.result().isDone()) { // a client that gave up is not computed for
        live.add(pending);
      }
    }
    if (live.isEmpty()) {
      return;
    }
    List<long[]> rows = new ArrayList<>();
    live.forEach(pending -> rows.addAll(pending.rows()));
    int[] lengths = rows.stream().mapToInt(row -> row.length).toArray();
    float[][][] emissions = new float[rows.size()][][];
    EntityRecognizer model = recognizer.get();
    long paddedTokens = 0;
    for (int[] call : BatchPlanner.group(lengths, maxBatchTokens)) {
      List<long[]> callRows = new ArrayList<>(call.length);
      for (int index : call) {
        callRows.add(rows.get(index));
      }
      long callStarted = System.nanoTime();
      float[][][] result = model.run(callRows);
      batchTime.record(System.nanoTime() - callStarted, TimeUnit.NANOSECONDS);
      batchRows.record(call.length);
      long callTokens = (long) call.length * lengths[call[call.length - 1]];
      batchTokens.record(callTokens);
      paddedTokens += callTokens;
      for (int i = 0; i < call.length; i++) {
        emissions[call[i]] = result[i];
      }
    }
    int next = 0;
    for (Pending pending : live) {
      int count = pending.rows().size();
      pending.trace().batchFinished(count, rows.size(), paddedTokens);
      float[][][] own = new float[count][][];
      System.arraycopy(emissions, next, own, 0, count);
      next += count;
      pending.result().complete(own);
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
