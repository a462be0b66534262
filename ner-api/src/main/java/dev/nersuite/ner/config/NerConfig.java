package dev.nersuite.ner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * All of the service's own configuration, under the prefix {@code ner}. Every key can be set as an
 * environment variable too ({@code ner.limits.max-text-chars} is {@code
 * NER_LIMITS_MAX_TEXT_CHARS}).
 */
@ConfigMapping(prefix = "ner")
public interface NerConfig {

  /** Which model bundle to serve. */
  Model model();

  /** How inference runs. */
  Inference inference();

  /** What a client may send. */
  Limits limits();

  /** The result cache for repeated texts. */
  Cache cache();

  /** Graceful shutdown on SIGTERM (see GracefulShutdown). */
  Shutdown shutdown();

  /** What is logged about each API request (see observability.RequestLogFilter). */
  Logging logging();

  /** The log line of each API request. */
  interface Logging {
    /**
     * Log one line per API request: request id, method, path, status, latency and model, as fields
     * of the JSON log object when JSON logging is on.
     */
    @WithDefault("true")
    boolean requests();

    /**
     * Also log the request's texts in that line. For debugging only: texts may be personal data,
     * and are never logged otherwise.
     */
    @WithDefault("false")
    boolean texts();
  }

  /** Graceful shutdown. */
  interface Shutdown {
    /** How long readiness is DOWN while requests are still served, so balancers stop sending. */
    @WithDefault("3S")
    Duration delay();

    /** Longest wait for in-flight inference after new work is refused. */
    @WithDefault("30S")
    Duration drainTimeout();
  }

  /** A bounded cache of results for repeated texts. */
  interface Cache {
    /** Most texts kept; 0 turns the cache off. */
    @WithDefault("1024")
    int size();

    /** Longer texts are not cached, which bounds the cache's memory (size x this x 2 bytes). */
    @WithDefault("2000")
    int maxTextChars();
  }

  /** The model bundle. */
  interface Model {
    /**
     * Directory of a model bundle ({@code model.onnx}, {@code tokenizer.json}, {@code
     * ner-model.json}). Unset: the default bundle embedded in the application.
     */
    Optional<String> path();

    /** Run one inference before reporting ready, so the first request is not the slow one. */
    @WithDefault("true")
    boolean warmUp();
  }

  /** Inference execution. */
  interface Inference {
    /**
     * ONNX Runtime intra-op threads per worker. For the compact default model, one thread per
     * worker and one worker per CPU measured 2.5x the throughput of one worker using every CPU
     * (docs/adr/0005-batching-defaults.md).
     */
    @WithDefault("1")
    int intraOpThreads();

    /**
     * Threads that run batches (each batch one ONNX Runtime call at a time). Unset: the processors
     * the JVM sees divided by the ORT intra-op threads (at least 1), so the CPUs are not
     * oversubscribed.
     */
    OptionalInt workers();

    /**
     * Most model rows (windows; a sentence is one) waiting to run; a request that does not fit is
     * refused at once with 503. 0: no waiting room beyond the batch being collected.
     */
    @WithDefault("256")
    int queueSize();

    /**
     * Most requests admitted at once (tokenizing, queued, running or decoding); beyond it a request
     * is refused at once with 503, before any work is done for it. Unset: 32 per worker, about what
     * keeps every worker busy with sentence traffic (closed-loop throughput levels off at 64
     * connections on 2 CPUs) while an admitted request waits behind at most a few dozen others (ADR
     * 0005).
     */
    OptionalInt maxInFlight();

    /** Longest a request may wait and run before it is answered with 503. */
    @WithDefault("30S")
    Duration requestTimeout();

    /**
     * Most padded tokens (rows x longest row) in one ONNX Runtime call. Small on purpose: the
     * BiGRU's cost per sentence grows with batch size beyond a few rows (ADR 0005).
     */
    @WithDefault("512")
    int maxBatchTokens();

    /**
     * Longest a batch waits for more requests once it has its first. 0: a free worker takes what is
     * queued at once; batches still form from what queues while the workers are busy (ADR 0005).
     */
    @WithDefault("0S")
    Duration maxWait();

    /** Seconds a client is asked to wait in {@code Retry-After} when refused with 503. */
    @WithDefault("1")
    int retryAfterSeconds();
  }

  /** Client limits; the HTTP body limit is {@code quarkus.http.limits.max-body-size}. */
  interface Limits {
    /** Longest text, in Unicode code points, for one text or one item of a batch. */
    @WithDefault("100000")
    int maxTextChars();

    /** Most texts in one batch request. */
    @WithDefault("64")
    int maxBatchTexts();

    /** Most code points over all texts of one batch request. */
    @WithDefault("200000")
    int maxBatchChars();
  }
}
