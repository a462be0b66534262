package dev.nersuite.ner.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * All of the service's own configuration, under the prefix {@code ner}. Every key can be set as an
 * environment variable too ({@code ner.limits.max-text-chars} is {@code
 * NER_LIMITS_MAX_TEXT_CHARS}).
 */
@ConfigMapping(prefix = "ner")
public interface NerConfig {

  /** The single-model case: serve one bundle from a directory. */
  Model model();

  /** Which bundles to serve, and which one answers requests that name none. */
  Models models();

  /** The user dictionary that forces or suppresses entities. */
  Dictionary dictionary();

  /** The optional API key. */
  Auth auth();

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

  /** The single-model case. */
  interface Model {
    /**
     * Directory of a model bundle ({@code model.onnx}, {@code tokenizer.json}, {@code
     * ner-model.json}) to serve instead of the embedded ones (unless {@code ner.models.embedded}
     * names some); it is the default model unless {@code ner.models.default} says otherwise.
     */
    Optional<String> path();

    /** Run one inference per model before reporting ready, so no first request is the slow one. */
    @WithDefault("true")
    boolean warmUp();
  }

  /** Several models, each served by its name (from its ner-model.json). */
  interface Models {
    /**
     * The model a request gets when it names none. Unset: the {@code ner.model.path} bundle when
     * set, otherwise the first embedded bundle in {@code ner-models/index.txt}.
     */
    @WithName("default")
    Optional<String> defaultModel();

    /**
     * Embedded bundles to serve, by name. Unset: all of them, unless {@code ner.model.path} is set
     * (then none). An empty value or {@code none} serves none.
     */
    Optional<List<String>> embedded();

    /** Directories of further bundles to serve; each one's name comes from its ner-model.json. */
    Optional<List<String>> directories();
  }

  /** The user dictionary (see docs/dictionary.md). */
  interface Dictionary {
    /**
     * A UTF-8 file of lines {@code term<TAB>TYPE} (force) or {@code term<TAB>-} (suppress). Unset:
     * no dictionary.
     */
    Optional<String> path();

    /** How often the file is checked for changes (a ConfigMap update arrives as a symlink swap). */
    @WithDefault("2S")
    Duration reloadInterval();
  }

  /** API keys for {@code /api/**}. */
  interface Auth {
    /**
     * Keys a client may send as {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}.
     * Unset or empty: the API is open. Health, metrics and the WebUI's files stay open either way.
     */
    Optional<List<String>> apiKeys();
  }

  /** Inference execution. */
  interface Inference {
    /**
     * ONNX Runtime intra-op threads per worker, for every model. Unset: what each bundle's
     * ner-model.json recommends ({@code serving.intraOpThreads}), else 1. For the compact model,
     * one thread per worker and one worker per CPU measured 2.5x the throughput of one worker using
     * every CPU (docs/adr/0005-batching-defaults.md).
     */
    OptionalInt intraOpThreads();

    /**
     * Threads that run batches, per model (each batch one ONNX Runtime call at a time). Unset: the
     * processors the JVM sees divided by the model's ORT intra-op threads (at least 1).
     */
    OptionalInt workers();

    /**
     * Most model rows (windows; a sentence is one) waiting to run, per model; a request that does
     * not fit is refused at once with 503. 0: no waiting room beyond the batch being collected.
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
     * Most padded tokens (rows x longest row) in one ONNX Runtime call, for every model. Unset:
     * what each bundle recommends ({@code serving.maxBatchTokens}), else 512 (small on purpose: the
     * BiGRU's cost per sentence grows with batch size beyond a few rows, ADR 0005).
     */
    OptionalInt maxBatchTokens();

    /**
     * Longest window a long text is cut into, in word-pieces with {@code [CLS]} and {@code [SEP]},
     * for every model (at most each model's own {@code maxWordPieces}). Unset: what each bundle
     * recommends ({@code serving.windowPieces}), else the model's longest row. Texts that fit one
     * window get the single-window result; longer ones overlapping windows (ADR 0002, ADR 0008).
     */
    OptionalInt windowPieces();

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
