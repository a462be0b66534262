package dev.nersuite.ner.observability;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The OpenTelemetry spans of one recognition request: {@code ner.admission}, {@code ner.tokenize},
 * {@code ner.queue}, {@code ner.inference} and {@code ner.decode}, children of the request's HTTP
 * span. They carry the model name and sizes (texts, code points, rows, tokens, batch rows and
 * tokens, entities), never the text.
 *
 * <p>Each step reports its own start and end ({@link System#nanoTime()}), and the span is written
 * when the step ends, with those timestamps: the steps run on different threads (the event loop, a
 * batch dispatcher, the thread completing the batch) and a batch serves many requests at once, so
 * no span is kept open across threads. When tracing is off (the default) the tracer is a no-op and
 * so is every method here.
 *
 * <p>Not thread-safe: each method is called by one thread, and the request's steps are handed from
 * thread to thread through the scheduler's queue and the result future, which order the calls.
 */
public final class RequestTrace {
  static final AttributeKey<String> MODEL = AttributeKey.stringKey("ner.model");
  static final AttributeKey<Long> TEXTS = AttributeKey.longKey("ner.texts");
  static final AttributeKey<Long> CHARACTERS = AttributeKey.longKey("ner.characters");
  static final AttributeKey<Long> ROWS = AttributeKey.longKey("ner.rows");
  static final AttributeKey<Long> TOKENS = AttributeKey.longKey("ner.tokens");
  static final AttributeKey<Long> BATCH_ROWS = AttributeKey.longKey("ner.batch.rows");
  static final AttributeKey<Long> BATCH_TOKENS = AttributeKey.longKey("ner.batch.tokens");
  static final AttributeKey<Long> ENTITIES = AttributeKey.longKey("ner.entities");

  /** {@link System#nanoTime()} to epoch nanoseconds, which spans are stamped with. */
  private static final long EPOCH_OFFSET_NANOS = epochNanos(Instant.now()) - System.nanoTime();

  private static final RequestTrace NONE = new RequestTrace(null, Context.root(), 0);

  private final Tracer tracer;
  private final Context parent;
  private final long startedNanos;
  private String model = "";
  private long queuedNanos;
  private long batchStartedNanos;

  RequestTrace(Tracer tracer, Context parent, long startedNanos) {
    this.tracer = tracer;
    this.parent = parent;
    this.startedNanos = startedNanos;
  }

  /** A trace that records nothing, for callers outside a request (tests, warm-up). */
  public static RequestTrace none() {
    return NONE;
  }

  private boolean recording() {
    return tracer != null;
  }

  /** Admission passed for {@code model}: ends {@code ner.admission}. */
  public void admitted(String model) {
    if (!recording()) {
      return;
    }
    this.model = model;
    span("ner.admission", startedNanos, System.nanoTime(), Attributes.empty());
  }

  /**
   * The texts were tokenized and cut into {@code rows} (those of texts the cache did not answer).
   *
   * @param started when tokenizing began ({@link System#nanoTime()})
   */
  public void tokenized(long started, List<String> texts, List<long[]> rows) {
    if (!recording()) {
      return;
    }
    long characters = 0;
    for (String text : texts) {
      characters += text.codePointCount(0, text.length());
    }
    long tokens = 0;
    for (long[] row : rows) {
      tokens += row.length;
    }
    span(
        "ner.tokenize",
        started,
        System.nanoTime(),
        Attributes.builder()
            .put(TEXTS, texts.size())
            .put(CHARACTERS, characters)
            .put(ROWS, rows.size())
            .put(TOKENS, tokens)
            .build());
  }

  /** The rows were queued for batching. */
  public void queued() {
    if (recording()) {
      queuedNanos = System.nanoTime();
    }
  }

  /** The rows' batch began at {@code started}: ends {@code ner.queue}. */
  public void batchStarted(long started) {
    if (!recording()) {
      return;
    }
    batchStartedNanos = started;
    span("ner.queue", queuedNanos, started, Attributes.empty());
  }

  /**
   * The rows' batch finished: ends {@code ner.inference}.
   *
   * @param ownRows this request's rows in the batch
   * @param batchRows rows of every request in the batch
   * @param batchTokens padded tokens of the batch's ONNX Runtime calls
   */
  public void batchFinished(int ownRows, int batchRows, long batchTokens) {
    if (!recording()) {
      return;
    }
    span(
        "ner.inference",
        batchStartedNanos,
        System.nanoTime(),
        Attributes.builder()
            .put(ROWS, ownRows)
            .put(BATCH_ROWS, batchRows)
            .put(BATCH_TOKENS, batchTokens)
            .build());
  }

  /**
   * The emissions were decoded into {@code entities} entities: ends {@code ner.decode}.
   *
   * @param started when decoding began ({@link System#nanoTime()})
   */
  public void decoded(long started, int entities) {
    if (!recording()) {
      return;
    }
    span("ner.decode", started, System.nanoTime(), Attributes.of(ENTITIES, (long) entities));
  }

  private void span(String name, long startNanos, long endNanos, Attributes attributes) {
    AttributesBuilder all = attributes.toBuilder().put(MODEL, model);
    Span span =
        tracer
            .spanBuilder(name)
            .setParent(parent)
            .setStartTimestamp(EPOCH_OFFSET_NANOS + startNanos, TimeUnit.NANOSECONDS)
            .setAllAttributes(all.build())
            .startSpan();
    span.end(EPOCH_OFFSET_NANOS + Math.max(startNanos, endNanos), TimeUnit.NANOSECONDS);
  }

  private static long epochNanos(Instant instant) {
    return TimeUnit.SECONDS.toNanos(instant.getEpochSecond()) + instant.getNano();
  }
}
