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
     * ONNX Runtime intra-op threads. Unset: the processors the JVM sees (the container's CPU
     * limit).
     */
    OptionalInt intraOpThreads();

    /**
     * Worker threads that run inference off the HTTP event loop. Unset: the processors the JVM
     * sees.
     */
    OptionalInt workers();

    /** Requests that may wait for a worker; when full, requests are refused with 503. */
    @WithDefault("256")
    int queueSize();

    /** Longest a request may wait and run before it is answered with 503. */
    @WithDefault("30S")
    Duration requestTimeout();

    /** Windows of one ONNX Runtime call at most. */
    @WithDefault("32")
    int maxBatchWindows();

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
