package dev.nersuite.ha;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Sends a bounded stream of real recognition requests (the news corpus, one text per request and
 * every tenth request a batch of three) to the gateway (nginx in ha/, the Ingress controller in
 * e2e/) and records every response: status, latency, and whether the entities are exactly the
 * reference ones.
 *
 * <p>Open loop: requests leave at a fixed rate whatever the answers, and latency counts from when a
 * request was due, so a stalled service cannot hide its stall by slowing the driver down
 * (coordinated omission). The stream ends at its request cap, its duration cap, or {@link
 * Run#stop()}, whichever comes first; outstanding requests are capped too.
 *
 * <p>Thread-safe; each {@link #start} is an independent run.
 */
public final class LoadDriver implements AutoCloseable {
  /**
   * Longer than the gateway's retry budget (40 s), so nginx always answers before the client gives
   * up.
   */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(45);

  /** What a response was. */
  public enum Verdict {
    /** 200 with exactly the reference entities. */
    CORRECT,
    /** 200 whose body is not the reference result: a partial or corrupted answer. */
    WRONG_RESULT,
    /** 503 with Retry-After and a JSON error code: the service refused to take more work. */
    SHED,
    /** Any other status. */
    ERROR_STATUS,
    /** No HTTP answer at all (reset, refused, timed out). */
    NO_RESPONSE
  }

  /**
   * One request's fate.
   *
   * @param sequence its number in the stream
   * @param dueNanos when it was due to leave ({@link System#nanoTime()})
   * @param doneNanos when its answer was complete
   * @param code the JSON error code, or "" for a 200 or a non-JSON answer
   * @param detail what was wrong, for failure listings
   */
  public record Outcome(
      int sequence,
      long dueNanos,
      long doneNanos,
      int status,
      String code,
      Verdict verdict,
      String detail) {
    public double latencyMillis() {
      return (doneNanos - dueNanos) / 1e6;
    }
  }

  /** What the requests carry. */
  public enum Mix {
    /** Every sentence in turn, one per request; every tenth request a batch of three. */
    NEWS,
    /**
     * Batches of {@link #LONG_BATCH_TEXTS} long paragraphs: about 6,400 characters of work per
     * request, so the replicas, not this driver, are what runs out of CPU when the load goes above
     * capacity. (Batches of 8 were enough while the service was several times slower; with 3x its
     * present capacity in requests, the driver and nginx took the CPU the replicas, at nice 10,
     * needed to refuse fast.)
     */
    LONG_BATCHES
  }

  /** Texts (model rows) in one request of the {@link Mix#LONG_BATCHES} mix. */
  public static final int LONG_BATCH_TEXTS = 32;

  /** Sentences longer than this many code points make up the {@link Mix#LONG_BATCHES} mix. */
  public static final int LONG_SENTENCE = 100;

  /**
   * One stream.
   *
   * @param tag sent as {@code X-HA-Request: tag-N}, so the gateway's log can be matched
   * @param ratePerSecond requests per second
   * @param maxRequests most requests sent
   * @param maxDuration longest the stream runs
   * @param maxOutstanding most requests in flight (the driver waits beyond it)
   */
  public record Plan(
      String tag,
      double ratePerSecond,
      int maxRequests,
      Duration maxDuration,
      int maxOutstanding,
      Mix mix) {
    public Plan(
        String tag,
        double ratePerSecond,
        int maxRequests,
        Duration maxDuration,
        int maxOutstanding) {
      this(tag, ratePerSecond, maxRequests, maxDuration, maxOutstanding, Mix.NEWS);
    }
  }

  private final URI ner;
  private final URI batch;
  private final NewsCorpus corpus;
  private final ExecutorService executor;
  private final HttpClient client;

  /**
   * A driver sending to {@code base} (the gateway or Ingress in front of the replicas, e.g. {@code
   * http://127.0.0.1:8080}), checking answers against {@code corpus}.
   */
  public LoadDriver(URI base, NewsCorpus corpus) {
    this.ner = base.resolve("/api/v1/ner");
    this.batch = base.resolve("/api/v1/ner/batch");
    this.corpus = corpus;
    this.executor =
        Executors.newFixedThreadPool(
            3,
            task -> {
              Thread thread = new Thread(task, "ha-load-client");
              thread.setDaemon(true);
              return thread;
            });
    this.client =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .executor(executor)
            .build();
  }

  /** Starts a stream in the background. */
  public Run start(Plan plan) {
    Run run = new Run(plan);
    Thread pacer = new Thread(run::pace, "ha-load-pacer-" + plan.tag());
    pacer.setDaemon(true);
    pacer.start();
    return run;
  }

  /** Runs a stream to its end. */
  public LoadResult run(Plan plan) {
    return start(plan).await();
  }

  /**
   * Closed loop: {@code users} clients, each sending its next request when the previous one is
   * answered, for {@code duration}; measures what the replicas can serve (capacity). Latency counts
   * from the send.
   */
  public LoadResult runClosedLoop(
      String tag, Mix mix, int users, Duration duration, int maxRequests) {
    ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    AtomicInteger sequence = new AtomicInteger();
    long started = System.nanoTime();
    long deadline = started + duration.toNanos();
    CountDownLatch done = new CountDownLatch(users);
    for (int u = 0; u < users; u++) {
      Thread user =
          new Thread(
              () -> {
                try {
                  int n;
                  while (System.nanoTime() < deadline
                      && (n = sequence.getAndIncrement()) < maxRequests) {
                    long due = System.nanoTime();
                    Call call = call(tag, n, mix);
                    try {
                      HttpResponse<String> response =
                          client.send(call.request, HttpResponse.BodyHandlers.ofString());
                      outcomes.add(judge(n, due, call, response));
                    } catch (Exception e) {
                      outcomes.add(noResponse(n, due, e));
                    }
                  }
                } finally {
                  done.countDown();
                }
              },
              "ha-closed-loop-user");
      user.setDaemon(true);
      user.start();
    }
    awaitLatch(done, duration.plus(REQUEST_TIMEOUT).plusSeconds(5));
    return new LoadResult(tag, started, new ArrayList<>(outcomes));
  }

  /** A stream being sent. Thread-safe. */
  public final class Run {
    private final Plan plan;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final ConcurrentLinkedQueue<Outcome> outcomes = new ConcurrentLinkedQueue<>();
    private final Semaphore inFlight;
    private final CountDownLatch paced = new CountDownLatch(1);
    private volatile long startNanos;

    private Run(Plan plan) {
      this.plan = plan;
      this.inFlight = new Semaphore(plan.maxOutstanding());
    }

    private void pace() {
      startNanos = System.nanoTime();
      long deadline = startNanos + plan.maxDuration().toNanos();
      double interval = 1e9 / plan.ratePerSecond();
      try {
        for (int n = 0; n < plan.maxRequests() && !stopped.get(); n++) {
          long due = startNanos + (long) (n * interval);
          if (due >= deadline) {
            break;
          }
          for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(wait);
          }
          if (!inFlight.tryAcquire(REQUEST_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
            break; // every slot stuck for a whole request timeout: recorded as they time out
          }
          send(n, due);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        paced.countDown();
      }
    }

    private void send(int n, long due) {
      Call call = call(plan.tag(), n, plan.mix());
      client
          .sendAsync(call.request, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (response, failure) -> {
                try {
                  outcomes.add(
                      failure == null
                          ? judge(n, due, call, response)
                          : noResponse(n, due, failure));
                } finally {
                  inFlight.release();
                }
              });
    }

    /** Stops sending; requests in flight still complete. */
    public void stop() {
      stopped.set(true);
    }

    /** Waits until the stream ended and every request was answered or timed out. */
    public LoadResult await() {
      awaitLatch(paced, plan.maxDuration().plus(REQUEST_TIMEOUT).plusSeconds(30));
      // Every permit back means nothing is in flight.
      try {
        if (!inFlight.tryAcquire(
            plan.maxOutstanding(), REQUEST_TIMEOUT.toSeconds() + 10, TimeUnit.SECONDS)) {
          throw new IllegalStateException(
              plan.tag() + ": requests still in flight after the timeout");
        }
        inFlight.release(plan.maxOutstanding());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      return new LoadResult(plan.tag(), startNanos, new ArrayList<>(outcomes));
    }
  }

  private record Call(HttpRequest request, List<String> texts, boolean batch) {}

  private Call call(String tag, int n, Mix mix) {
    List<String> sentences = corpus.sentences();
    boolean isBatch;
    List<String> texts;
    if (mix == Mix.LONG_BATCHES) {
      List<String> paragraphs =
          sentences.stream().filter(s -> s.codePointCount(0, s.length()) > LONG_SENTENCE).toList();
      isBatch = true;
      texts = new ArrayList<>();
      for (int i = 0; i < LONG_BATCH_TEXTS; i++) {
        texts.add(paragraphs.get((n + i) % paragraphs.size()));
      }
    } else {
      isBatch = n % 10 == 9;
      texts =
          isBatch
              ? List.of(
                  sentences.get(n % sentences.size()),
                  sentences.get((n + 1) % sentences.size()),
                  sentences.get((n + 2) % sentences.size()))
              : List.of(sentences.get(n % sentences.size()));
    }
    String body;
    try {
      body =
          ControlClient.JSON.writeValueAsString(
              isBatch ? Map.of("texts", texts) : Map.of("text", texts.get(0)));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    HttpRequest request =
        HttpRequest.newBuilder(isBatch ? batch : ner)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .header("X-HA-Request", tag + "-" + n)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return new Call(request, texts, isBatch);
  }

  private Outcome judge(int n, long due, Call call, HttpResponse<String> response) {
    long done = System.nanoTime();
    int status = response.statusCode();
    JsonNode body;
    try {
      body = ControlClient.JSON.readTree(response.body());
    } catch (JsonProcessingException e) {
      body = null;
    }
    if (status == 200) {
      String wrong = body == null ? "body is not JSON" : differenceFromReference(call, body);
      return wrong == null
          ? new Outcome(n, due, done, status, "", Verdict.CORRECT, "")
          : new Outcome(
              n,
              due,
              done,
              status,
              "",
              Verdict.WRONG_RESULT,
              wrong + ": " + excerpt(response.body()));
    }
    String code = body == null ? "" : body.path("error").path("code").asText("");
    boolean retryAfter = response.headers().firstValue("Retry-After").isPresent();
    Verdict verdict =
        status == 503 && retryAfter && !code.isEmpty() ? Verdict.SHED : Verdict.ERROR_STATUS;
    return new Outcome(n, due, done, status, code, verdict, excerpt(response.body()));
  }

  /** Null when the body is exactly the reference answer, else what differs. */
  private String differenceFromReference(Call call, JsonNode body) {
    if (!corpus.model().equals(body.path("model").asText())) {
      return "model is '" + body.path("model").asText() + "'";
    }
    try {
      if (!call.batch) {
        return NewsCorpus.same(
                corpus.expected(call.texts.get(0)), NewsCorpus.parseEntities(body.path("entities")))
            ? null
            : "entities differ from the reference";
      }
      JsonNode results = body.path("results");
      if (!results.isArray() || results.size() != call.texts.size()) {
        return "batch has " + results.size() + " results for " + call.texts.size() + " texts";
      }
      for (int i = 0; i < call.texts.size(); i++) {
        if (!NewsCorpus.same(
            corpus.expected(call.texts.get(i)),
            NewsCorpus.parseEntities(results.get(i).path("entities")))) {
          return "batch result " + i + " differs from the reference";
        }
      }
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  private static Outcome noResponse(int n, long due, Throwable failure) {
    Throwable cause = failure.getCause() != null ? failure.getCause() : failure;
    return new Outcome(
        n,
        due,
        System.nanoTime(),
        -1,
        "",
        Verdict.NO_RESPONSE,
        cause.getClass().getSimpleName() + ": " + cause.getMessage());
  }

  private static String excerpt(String body) {
    return body.length() <= 200 ? body : body.substring(0, 200) + "...";
  }

  private static void awaitLatch(CountDownLatch latch, Duration timeout) {
    try {
      if (!latch.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException(
            "load stream did not end within " + timeout.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
