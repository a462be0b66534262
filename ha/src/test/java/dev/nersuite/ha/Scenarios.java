package dev.nersuite.ha;

import dev.nersuite.ha.AccessLog.Attempt;
import dev.nersuite.ha.AccessLog.Entry;
import dev.nersuite.ha.HostileCorpus.HostileRequest;
import dev.nersuite.ha.HostileRunner.Answer;
import dev.nersuite.ha.LoadDriver.Mix;
import dev.nersuite.ha.LoadDriver.Plan;
import dev.nersuite.ha.LoadDriver.Run;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * The six fault-injection scenarios. Each drives load through the gateway while it injects its
 * fault, measures, checks the targets, and returns one row of figures (with the targets it
 * missed, if any). Not thread-safe: one test thread runs the scenarios one after another.
 */
final class Scenarios implements AutoCloseable {
  /** Load before the first fault, so every replica and nginx are in steady state. */
  static final Duration STEADY = Duration.ofSeconds(3);

  /** Load after the last fault, so late failures and the rejoin are seen. */
  static final Duration TAIL = Duration.ofSeconds(4);

  /** Longest a ready replica may take to get traffic again: nginx probes it after fail_timeout. */
  static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(NginxGateway.FAIL_TIMEOUT_SECONDS + 10);

  /** A replica's memory limit in the Helm chart; a replica above it would be OOM-killed there. */
  static final long MEMORY_LIMIT_MIB = 1024;

  private final Cluster cluster;
  private final LoadDriver driver;

  Scenarios(Cluster cluster) {
    this.cluster = cluster;
    this.driver = new LoadDriver(cluster.gateway(), cluster.corpus());
  }

  // ---------------------------------------------------------------- 1. rolling restart

  /**
   * Rolling restart under load: SIGTERM each replica in turn, start it again, wait until it is
   * ready and nginx sends it traffic again, then the next one. Target: zero failed requests.
   */
  Figures rollingRestart(List<ReplicaProcess> order, double rate) {
    long rssBefore = cluster.maxRssMiB();
    long logOffset = AccessLog.size(cluster.gateway().accessLog());
    List<String> violations = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    double worstReady = 0;
    double worstRejoin = 0;
    Run run =
        driver.start(plan("rolling-restart", rate, Duration.ofSeconds(60L * order.size() + 60)));
    try {
      ReplicaProcess.sleep(STEADY);
      for (ReplicaProcess replica : order) {
        double stopped = seconds(replica.terminate(Cluster.STOP_TIMEOUT));
        replica.start(List.of());
        double ready = seconds(replica.awaitReady(Cluster.START_TIMEOUT));
        long readyAt = System.currentTimeMillis();
        double rejoin = awaitServed(replica, logOffset, readyAt, violations);
        worstReady = Math.max(worstReady, ready);
        worstRejoin = Math.max(worstRejoin, rejoin);
        steps.add(
            String.format(
                Locale.ROOT,
                "%s exited %.1f s after SIGTERM, ready %.1f s after start, served again +%.1f s",
                replica.name(),
                stopped,
                ready,
                rejoin));
      }
      ReplicaProcess.sleep(TAIL);
    } finally {
      run.stop();
    }
    LoadResult result = run.await();
    List<Entry> log = AccessLog.readFrom(cluster.gateway().accessLog(), logOffset);
    requireNoFailures(result, violations);
    return new Figures(
        "1. rolling restart ("
            + order.size()
            + " of "
            + cluster.replicas().size()
            + " replicas, SIGTERM)",
        result.requests(),
        result.notCorrect().size(),
        result.count(Verdict.SHED),
        result.latency(Verdict.CORRECT).percentile(0.5),
        result.latency(Verdict.CORRECT).percentile(0.99),
        rssBefore,
        cluster.maxRssMiB(),
        String.format(
            Locale.ROOT,
            "ready ≤ %.1f s after start; served again ≤ +%.1f s",
            worstReady,
            worstRejoin),
        String.format(
            Locale.ROOT,
            "%.0f req/s; %s; nginx retried %d requests elsewhere (%s); client statuses %s",
            rate,
            String.join("; ", steps),
            retried(log),
            refusedAttempts(log),
            result.statusCodes()),
        violations);
  }

  /** Longest a replica with nothing in flight may take to exit on SIGTERM (delay 3 s + drain). */
  static final Duration IDLE_STOP_BUDGET = Duration.ofSeconds(15);

  /**
   * SIGTERM before any traffic, as a scale-down or a rollout may send to a pod that never got a
   * request: once to a ready replica that has served nothing, once to a replica still loading its
   * model (held back). Target: each exits within {@link #IDLE_STOP_BUDGET}, instead of hanging
   * until the orchestrator's SIGKILL.
   */
  Figures stopBeforeTraffic() {
    List<String> violations = new ArrayList<>();
    List<String> exits = new ArrayList<>();
    try (ReplicaProcess spare = cluster.spare("spare")) {
      spare.start(List.of());
      spare.awaitReady(Cluster.START_TIMEOUT);
      exits.add("ready, never asked: " + exitAfterSigterm(spare, violations));
      spare.start(List.of("-Dner.model.path=" + heldBackBundle()));
      awaitLive(spare);
      exits.add("still loading its model: " + exitAfterSigterm(spare, violations));
    }
    return new Figures(
        "1b. SIGTERM before any traffic (spare replica)",
        0,
        violations.size(),
        0,
        Double.NaN,
        Double.NaN,
        cluster.maxRssMiB(),
        cluster.maxRssMiB(),
        String.join("; ", exits),
        "a replica outside the upstream gets SIGTERM with no request ever served; budget "
            + IDLE_STOP_BUDGET.toSeconds()
            + " s (shutdown delay 3 s + an empty drain)",
        violations);
  }

  private static String exitAfterSigterm(ReplicaProcess replica, List<String> violations) {
    try {
      return String.format(
          Locale.ROOT, "exited %.1f s after SIGTERM", seconds(replica.terminate(IDLE_STOP_BUDGET)));
    } catch (IllegalStateException e) {
      String exceptions =
          replica
              .logTail(80)
              .lines()
              .filter(line -> line.contains("Exception") || line.startsWith("Caused by"))
              .limit(4)
              .collect(Collectors.joining("\n    "));
      violations.add(e.getMessage() + " (then SIGKILLed); its log says:\n    " + exceptions);
      return "did not exit within " + IDLE_STOP_BUDGET.toSeconds() + " s (SIGKILLed)";
    }
  }

  // ---------------------------------------------------------------- 2. crash

  /**
   * Crash under load: SIGKILL one replica, start it again at once. Targets: zero failed requests
   * (the gateway retries what the dead replica dropped); the replica answers nothing before it is
   * ready.
   */
  Figures crash(ReplicaProcess victim, double rate) {
    long rssBefore = cluster.maxRssMiB();
    long logOffset = AccessLog.size(cluster.gateway().accessLog());
    List<String> violations = new ArrayList<>();
    long killedAt;
    long readyAt;
    double ready;
    double rejoin;
    Run run = driver.start(plan("crash", rate, Duration.ofSeconds(120)));
    try {
      ReplicaProcess.sleep(STEADY);
      killedAt = System.currentTimeMillis();
      victim.kill(Duration.ofSeconds(10));
      victim.start(List.of());
      victim.awaitReady(Cluster.START_TIMEOUT);
      readyAt = System.currentTimeMillis();
      ready = (readyAt - killedAt) / 1000.0;
      rejoin = awaitServed(victim, logOffset, readyAt, violations);
      ReplicaProcess.sleep(TAIL);
    } finally {
      run.stop();
    }
    LoadResult result = run.await();
    List<Entry> log = AccessLog.readFrom(cluster.gateway().accessLog(), logOffset);
    Map<Integer, Long> whileDown = attemptsAt(log, victim, killedAt, readyAt);
    // A 200 logged just after the kill was answered before it; one logged within a probe interval
    // before readiness was seen may be genuine: only what lies clearly between counts.
    long answeredWhileDown =
        attemptsAt(
                log,
                victim,
                killedAt + 500,
                readyAt - ReplicaProcess.PROBE_INTERVAL.toMillis() - 50)
            .getOrDefault(200, 0L);
    if (answeredWhileDown > 0) {
      violations.add(
          victim.name()
              + " answered "
              + answeredWhileDown
              + " requests with 200 before it was ready");
    }
    requireNoFailures(result, violations);
    return new Figures(
        "2. crash (SIGKILL " + victim.name() + ", restart)",
        result.requests(),
        result.notCorrect().size(),
        result.count(Verdict.SHED),
        result.latency(Verdict.CORRECT).percentile(0.5),
        result.latency(Verdict.CORRECT).percentile(0.99),
        rssBefore,
        cluster.maxRssMiB(),
        String.format(
            Locale.ROOT, "ready %.1f s after SIGKILL; served again +%.1f s", ready, rejoin),
        String.format(
            Locale.ROOT,
            "%.0f req/s; attempts at %s between kill and ready, by status: %s; nginx retried %d requests elsewhere (%s); client statuses %s",
            rate,
            victim.name(),
            whileDown,
            retried(log),
            refusedAttempts(log),
            result.statusCodes()),
        violations);
  }

  // ---------------------------------------------------------------- 3. slow start

  /**
   * Slow start: a replica is restarted with its model held back (a FIFO the harness feeds only
   * after {@code hold}, as a slow model volume would), so it runs and answers HTTP but is not
   * ready. nginx OSS has no active health checks, so the replica stays in the upstream: it must
   * refuse every recognition with 503 NOT_READY, which nginx retries on another replica. Targets:
   * clients see zero failures; the replica answers nothing before it is ready; it gets traffic once
   * ready.
   */
  Figures slowStart(ReplicaProcess victim, double rate, Duration hold) {
    long rssBefore = cluster.maxRssMiB();
    List<String> violations = new ArrayList<>();
    Path bundle = heldBackBundle();
    long logOffset;
    long startedAt;
    long readyAt;
    double notReadyFor;
    double rejoin;
    String steps;
    Run run;
    // Restart it with its model held back before the stream begins: from the stream's first
    // request on, the replica runs and answers HTTP but is not ready.
    victim.terminate(Cluster.STOP_TIMEOUT);
    startedAt = System.currentTimeMillis();
    victim.start(List.of("-Dner.model.path=" + bundle));
    awaitLive(victim);
    cluster.gateway().reload(); // forget the failures nginx counted while it was down
    logOffset = AccessLog.size(cluster.gateway().accessLog());
    long streamAt = System.currentTimeMillis();
    run = driver.start(plan("slow-start", rate, Duration.ofSeconds(120)));
    try {
      long holdUntil = System.currentTimeMillis() + hold.toMillis();
      int unanswered = 0;
      while (System.currentTimeMillis() < holdUntil) {
        int readiness = victim.readiness();
        if (readiness == 200) {
          violations.add(victim.name() + " reported ready while its model was held back");
          break;
        }
        // 503 is the answer; a probe the starved replica did not answer in time is no "ready".
        unanswered += readiness == 503 ? 0 : 1;
        ReplicaProcess.sleep(Duration.ofMillis(250));
      }
      long fedAt = System.currentTimeMillis();
      feedModel(bundle.resolve("model.onnx"));
      victim.awaitReady(Cluster.START_TIMEOUT);
      readyAt = System.currentTimeMillis();
      notReadyFor = (readyAt - startedAt) / 1000.0;
      rejoin = awaitServed(victim, logOffset, readyAt, violations);
      ReplicaProcess.sleep(TAIL);
      steps =
          String.format(
              Locale.ROOT,
              "model fed %.1f s after start, ready %.1f s later (%d readiness probes unanswered"
                  + " in 2 s while held back)",
              (fedAt - startedAt) / 1000.0,
              (readyAt - fedAt) / 1000.0,
              unanswered);
    } finally {
      run.stop();
    }
    LoadResult result = run.await();
    List<Entry> log = AccessLog.readFrom(cluster.gateway().accessLog(), logOffset);
    Map<Integer, Long> notReady =
        attemptsAt(log, victim, streamAt, readyAt - ReplicaProcess.PROBE_INTERVAL.toMillis() - 50);
    long answered = notReady.getOrDefault(200, 0L);
    if (answered > 0) {
      violations.add(
          victim.name() + " answered " + answered + " requests with 200 before it was ready");
    }
    long refused =
        notReady.entrySet().stream()
            .filter(e -> e.getKey() != 200)
            .mapToLong(Map.Entry::getValue)
            .sum();
    if (refused == 0) {
      violations.add(
          "no attempt reached the not-ready "
              + victim.name()
              + ": the scenario did not test readiness gating");
    }
    requireNoFailures(result, violations);
    return new Figures(
        "3. slow start (" + victim.name() + " not ready for " + Math.round(notReadyFor) + " s)",
        result.requests(),
        result.notCorrect().size(),
        result.count(Verdict.SHED),
        result.latency(Verdict.CORRECT).percentile(0.5),
        result.latency(Verdict.CORRECT).percentile(0.99),
        rssBefore,
        cluster.maxRssMiB(),
        String.format(Locale.ROOT, "%s; served +%.1f s after ready", steps, rejoin),
        String.format(
            Locale.ROOT,
            "%.0f req/s; while not ready %s got %d attempts (by status %s) and answered %d; nginx"
                + " retried every refused one on a replica not tried yet; %s; client statuses %s",
            rate,
            victim.name(),
            refused + answered,
            notReady,
            answered,
            cluster.gateway().retry503() == NginxGateway.Retry503.COUNTED
                ? "passive checks (max_fails="
                    + NginxGateway.MAX_FAILS
                    + ") took it out after "
                    + NginxGateway.MAX_FAILS
                    + " refusals and probed it once per "
                    + NginxGateway.FAIL_TIMEOUT_SECONDS
                    + " s"
                : "a 503 does not count toward max_fails, so it stayed in rotation",
            result.statusCodes()),
        violations);
  }

  /**
   * A model bundle directory whose model.onnx is a FIFO: loading it blocks until {@link
   * #feedModel}.
   */
  private Path heldBackBundle() {
    Path bundle = cluster.dir().resolve("held-back-bundle");
    try {
      Files.createDirectories(bundle);
      Files.deleteIfExists(bundle.resolve("model.onnx"));
      Files.write(bundle.resolve("ner-model.json"), embeddedBundleFile("ner-model.json"));
      Files.write(bundle.resolve("tokenizer.json"), embeddedBundleFile("tokenizer.json"));
      Process mkfifo =
          new ProcessBuilder("mkfifo", bundle.resolve("model.onnx").toString()).inheritIO().start();
      if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
        throw new IllegalStateException("mkfifo failed");
      }
      return bundle;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A file of the model bundle embedded in ner-api's application jar (the one the replicas serve).
   */
  private byte[] embeddedBundleFile(String name) throws IOException {
    try (Stream<Path> jars = Files.list(cluster.runner().resolve("app"))) {
      Path jar =
          jars.filter(p -> p.toString().endsWith(".jar"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no application jar in " + cluster.runner()));
      try (JarFile file = new JarFile(jar.toFile())) {
        ZipEntry entry = file.getEntry("ner-model/" + name);
        if (entry == null) {
          throw new IllegalStateException(jar + " has no embedded ner-model/" + name);
        }
        return file.getInputStream(entry).readAllBytes();
      }
    }
  }

  /** Writes the model into the FIFO (the replica is blocked reading it). */
  private void feedModel(Path fifo) {
    byte[] model;
    try {
      model = embeddedBundleFile("model.onnx");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(model);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "ha-model-feeder");
    writer.setDaemon(
        true); // blocked forever only if the replica died; the scenario then fails anyway
    writer.start();
    try {
      writer.join(Duration.ofSeconds(60).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      throw new IllegalStateException("the replica did not read its model within 60 s");
    }
  }

  private static void awaitLive(ReplicaProcess replica) {
    long deadline = System.nanoTime() + Cluster.START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!replica.isAlive()) {
        throw new IllegalStateException(replica.name() + " exited:\n" + replica.logTail(30));
      }
      if (ControlClient.status(replica.uri("/q/health/live"), Duration.ofSeconds(2)) == 200) {
        return;
      }
      ReplicaProcess.sleep(ReplicaProcess.PROBE_INTERVAL);
    }
    throw new IllegalStateException(replica.name() + " never answered /q/health/live");
  }

  // ---------------------------------------------------------------- 4. overload

  /** Closed-loop clients per replica when measuring capacity: enough to keep every worker busy. */
  static final int CAPACITY_CLIENTS_PER_REPLICA = 2;

  /**
   * "Sheds fast": a refused client learns it within a second, a small fraction of the 30 s request
   * deadline it would otherwise wait out.
   */
  static final long SHED_P99_BOUND_MILLIS = 1000;

  /** Load at half of capacity after the replicas restart for the overload, before it. */
  static final Duration WARM_UP = Duration.ofSeconds(8);

  /**
   * Overload: a closed loop measures capacity (default limits); the replicas restart with small
   * admission limits ({@code queueSize} rows waiting, {@code maxInFlight} requests admitted); an
   * open loop offers {@code factor} times capacity for {@code duration}, then at once drops to half
   * of capacity. Targets: every answer is either correct or a fast 503 with Retry-After; accepted
   * requests keep a bounded p99; no replica dies or exceeds its memory limit; all requests are
   * correct again within a second of the drop. The replicas restart with their defaults afterwards.
   */
  Figures overload(int queueSize, int maxInFlight, double factor, Duration duration) {
    List<String> violations = new ArrayList<>();
    // Capacity with the default limits, so the measurement itself never sheds.
    LoadResult calibration =
        driver.runClosedLoop(
            "capacity",
            Mix.LONG_BATCHES,
            CAPACITY_CLIENTS_PER_REPLICA * cluster.replicas().size(),
            Duration.ofSeconds(10),
            100_000);
    double capacity = calibration.correctPerSecond();
    double baselineP99 = calibration.latency(Verdict.CORRECT).percentile(0.99);
    if (!calibration.notCorrect().isEmpty()) {
      violations.add(
          "capacity run had failures: " + calibration.describeFailures(calibration.notCorrect()));
    }
    cluster.restartAll(
        List.of(
            "-Dner.inference.queue-size=" + queueSize,
            "-Dner.inference.max-in-flight=" + maxInFlight));
    try {
      // The restarted JVMs compile their hot paths first: warm them at half of capacity, so the
      // overload meets replicas in their steady state.
      driver.run(
          new Plan(
              "overload-warm-up",
              capacity / 2,
              (int) (capacity / 2 * WARM_UP.toSeconds()) + 1,
              WARM_UP,
              64,
              Mix.LONG_BATCHES));
      long rssBefore = cluster.maxRssMiB();
      long logOffset = AccessLog.size(cluster.gateway().accessLog());
      RssSampler sampler = RssSampler.start(cluster);
      double offered = factor * capacity;
      Run overload =
          driver.start(
              new Plan(
                  "overload",
                  offered,
                  (int) (offered * duration.toSeconds()) + 1,
                  duration,
                  512,
                  Mix.LONG_BATCHES));
      ReplicaProcess.sleep(duration);
      overload.stop();
      double after = capacity / 2;
      Duration recoveryWindow = Duration.ofSeconds(8);
      Run recovery =
          driver.start(
              new Plan(
                  "after-overload",
                  after,
                  (int) (after * recoveryWindow.toSeconds()) + 1,
                  recoveryWindow,
                  256,
                  Mix.LONG_BATCHES));
      LoadResult over = overload.await();
      LoadResult rec = recovery.await();
      Map<String, Long> peaks = sampler.stop();
      List<Entry> log = AccessLog.readFrom(cluster.gateway().accessLog(), logOffset);

      LatencyStats accepted = over.latency(Verdict.CORRECT);
      LatencyStats shed = over.latency(Verdict.SHED);
      // An admitted request waits behind at most maxInFlight - 1 others per replica, each about
      // as long as the slowest at capacity, on CPU that shedding now shares with them.
      double acceptedBound = Math.max(1000, 2 * maxInFlight * baselineP99);
      if (!over.failuresBesidesShedding().isEmpty()) {
        violations.add(
            over.failuresBesidesShedding().size()
                + " answers were neither correct nor 503 with Retry-After:\n"
                + over.describeFailures(over.failuresBesidesShedding()));
      }
      if (over.count(Verdict.SHED) == 0) {
        violations.add("nothing was shed: the offered load did not exceed capacity");
      }
      if (shed.percentile(0.99) > SHED_P99_BOUND_MILLIS) {
        violations.add(
            String.format(
                Locale.ROOT,
                "shedding is slow: p99 of 503 answers %.0f ms > %d ms",
                shed.percentile(0.99),
                SHED_P99_BOUND_MILLIS));
      }
      if (accepted.percentile(0.99) > acceptedBound) {
        violations.add(
            String.format(
                Locale.ROOT,
                "accepted p99 %.0f ms > bound %.0f ms (max(1 s, 2 x in-flight limit x p99 at capacity))",
                accepted.percentile(0.99),
                acceptedBound));
      }
      for (ReplicaProcess replica : cluster.replicas()) {
        boolean outOfMemory =
            replica
                .logText()
                .lines()
                .anyMatch(line -> !line.startsWith("---- ") && line.contains("OutOfMemoryError"));
        if (!replica.isAlive() || outOfMemory) {
          violations.add(replica.name() + " died or ran out of memory:\n" + replica.logTail(20));
        }
      }
      long peakMiB = peaks.values().stream().mapToLong(Long::longValue).max().orElse(0) / 1024;
      if (peakMiB > MEMORY_LIMIT_MIB) {
        violations.add(
            "a replica's RSS peaked at " + peakMiB + " MiB, above the chart's 1 GiB limit");
      }
      double lastBad =
          rec.notCorrect().stream()
              .mapToDouble(o -> (o.dueNanos() - rec.startNanos()) / 1e9)
              .max()
              .orElse(0);
      if (lastBad > 1.0) {
        violations.add(
            String.format(
                Locale.ROOT,
                "not recovered: a request due %.1f s after the drop failed:\n%s",
                lastBad,
                rec.describeFailures(rec.notCorrect())));
      }
      double sentPerSecond = over.requests() / (double) duration.toSeconds();
      if (sentPerSecond < 0.9 * offered) {
        violations.add(
            String.format(
                Locale.ROOT,
                "the driver sent only %.0f of the %.0f req/s it should have offered",
                sentPerSecond,
                offered));
      }
      return new Figures(
          String.format(
              Locale.ROOT,
              "4. overload (%.0f× capacity, queue %d rows, %d in flight)",
              factor,
              queueSize,
              maxInFlight),
          over.requests(),
          over.failuresBesidesShedding().size(),
          over.count(Verdict.SHED),
          accepted.percentile(0.5),
          accepted.percentile(0.99),
          rssBefore,
          cluster.maxRssMiB(),
          String.format(
              Locale.ROOT,
              "%s after the drop: %d/%d correct, %.0f of %.0f req/s",
              lastBad == 0 ? "at once" : String.format(Locale.ROOT, "%.1f s", lastBad),
              rec.count(Verdict.CORRECT),
              rec.requests(),
              rec.correctPerSecond(),
              after),
          String.format(
              Locale.ROOT,
              "requests are batches of %d paragraphs (~%,d characters); capacity %.0f req/s (closed loop, %d clients, p99 %.0f ms); offered %.0f req/s for %d s (sent %.0f/s); accepted %.0f req/s; 503 p50/p99 %.1f/%.0f ms; client statuses %s; RSS peak per replica %s MiB; nginx attempts refused %s",
              LoadDriver.LONG_BATCH_TEXTS,
              LoadDriver.LONG_BATCH_TEXTS * 200,
              capacity,
              CAPACITY_CLIENTS_PER_REPLICA * cluster.replicas().size(),
              baselineP99,
              offered,
              duration.toSeconds(),
              sentPerSecond,
              over.count(Verdict.CORRECT) / (double) duration.toSeconds(),
              shed.percentile(0.5),
              shed.percentile(0.99),
              over.statusCodes(),
              mib(peaks),
              refusedAttempts(log)),
          violations);
    } finally {
      cluster.restartAll(List.of());
    }
  }

  /** Samples each replica's RSS every 250 ms in the background, keeping the peak. Thread-safe. */
  private static final class RssSampler {
    private final Map<String, Long> peaks = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile boolean running = true;
    private Thread thread;

    static RssSampler start(Cluster cluster) {
      RssSampler sampler = new RssSampler();
      sampler.thread =
          new Thread(
              () -> {
                while (sampler.running) {
                  for (ReplicaProcess replica : cluster.replicas()) {
                    sampler.peaks.merge(replica.name(), replica.rssKiB(), Math::max);
                  }
                  try {
                    Thread.sleep(250);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "ha-rss-sampler");
      sampler.thread.setDaemon(true);
      sampler.thread.start();
      return sampler;
    }

    /** Stops sampling; the peak per replica in KiB. */
    Map<String, Long> stop() {
      running = false;
      try {
        thread.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return new TreeMap<>(peaks);
    }
  }

  // ---------------------------------------------------------------- 5. bad input

  /**
   * Bad input: the hostile corpus through the gateway, then straight to the first replica. Targets:
   * zero 5xx; every error a JSON body with a documented code, the same code whichever way the
   * request came; normal requests answered correctly right after, through the gateway and by every
   * replica.
   */
  Figures badInput() {
    long rssBefore = cluster.maxRssMiB();
    List<String> violations = new ArrayList<>();
    List<HostileRequest> corpus = HostileCorpus.build();
    ReplicaProcess target = cluster.replicas().get(0);
    long logOffset = AccessLog.size(cluster.gateway().accessLog());
    List<Answer> viaGateway =
        HostileRunner.run(cluster.gateway().uri("").toString(), corpus, "hostile-gw", false);
    List<Answer> direct =
        HostileRunner.run(target.uri("").toString(), corpus, "hostile-direct", true);
    Map<String, Entry> gatewayLog = new HashMap<>();
    for (Entry entry : AccessLog.readFrom(cluster.gateway().accessLog(), logOffset)) {
      gatewayLog.put(entry.requestTag(), entry);
    }

    List<Answer> all = new ArrayList<>(viaGateway);
    all.addAll(direct);
    long fiveHundreds = all.stream().filter(a -> a.status() >= 500).count();
    List<Answer> broken = all.stream().filter(a -> a.problem() != null).toList();
    for (Answer answer : broken) {
      violations.add(
          (viaGateway.contains(answer) ? "via gateway: " : "direct: ")
              + answer.request().name()
              + " -> "
              + answer.status()
              + " "
              + answer.problem());
    }
    int unstable = 0;
    int compared = 0;
    for (int i = 0; i < corpus.size(); i++) {
      Entry entry = gatewayLog.get("hostile-gw-" + i);
      Answer gw = viaGateway.get(i);
      Answer dir = direct.get(i);
      boolean reachedReplica = entry != null && !entry.attempts().isEmpty();
      if (!reachedReplica
          || gw.problem() != null
          || dir.problem() != null
          || dir.knownLimitation()) {
        continue;
      }
      compared++;
      if (gw.status() != dir.status() || !gw.code().equals(dir.code())) {
        unstable++;
        violations.add(
            "unstable answer for "
                + corpus.get(i).name()
                + ": via gateway "
                + gw.status()
                + " "
                + gw.code()
                + ", direct "
                + dir.status()
                + " "
                + dir.code());
      }
    }
    // No log entry with the request's tag: nginx refused it before reading its headers.
    long answeredByGateway =
        java.util.stream.IntStream.range(0, corpus.size())
            .mapToObj(i -> gatewayLog.get("hostile-gw-" + i))
            .filter(entry -> entry == null || entry.attempts().isEmpty())
            .count();
    long knownBare414 =
        direct.stream().filter(a -> a.knownLimitation() && a.status() == 414).count();

    // Normal requests right after: through the gateway (load driver) and straight to every replica.
    int sentences = cluster.corpus().sentences().size();
    LoadResult after =
        driver.run(new Plan("after-hostile", 20, 2 * sentences, Duration.ofSeconds(30), 16));
    requireNoFailures(after, violations);
    int directCorrect = 0;
    for (ReplicaProcess replica : cluster.replicas()) {
      if (!replica.isAlive() || replica.readiness() != 200) {
        violations.add(replica.name() + " is not alive and ready after the hostile corpus");
      }
      NewsCorpus fresh = NewsCorpus.referenceFrom(replica);
      for (String sentence : cluster.corpus().sentences()) {
        if (NewsCorpus.same(cluster.corpus().expected(sentence), fresh.expected(sentence))) {
          directCorrect++;
        } else {
          violations.add(
              replica.name() + " answers differently after the hostile corpus: " + sentence);
        }
      }
    }
    Map<String, Long> categories =
        corpus.stream()
            .collect(
                Collectors.groupingBy(
                    HostileRequest::category, LinkedHashMap::new, Collectors.counting()));
    Map<String, Long> statuses =
        all.stream()
            .collect(
                Collectors.groupingBy(
                    a -> (a.status() + " " + a.code()).strip(),
                    TreeMap::new,
                    Collectors.counting()));
    LatencyStats latency = new LatencyStats(all.stream().map(Answer::millis).toList());
    return new Figures(
        "5. bad input (" + corpus.size() + " hostile requests × 2 routes)",
        all.size(),
        broken.size(),
        all.stream().filter(a -> a.status() == 503).count(),
        latency.percentile(0.5),
        latency.percentile(0.99),
        rssBefore,
        cluster.maxRssMiB(),
        String.format(
            Locale.ROOT,
            "right after: %d/%d correct via gateway, %d/%d direct",
            after.count(Verdict.CORRECT),
            after.requests(),
            directCorrect,
            sentences * cluster.replicas().size()),
        String.format(
            Locale.ROOT,
            "categories %s; 5xx: %d; answers by status and code %s; the gateway itself answered %d (its JSON errors); same status and code via gateway and direct for %d/%d requests that reached a replica both ways; known limitation of the HTTP codec, NOT fixed, counted apart (docs/adr/0004): %d bare 414 without JSON for a request line over 4 KiB sent straight to a replica (through nginx it gets a JSON answer)",
            categories,
            fiveHundreds,
            statuses,
            answeredByGateway,
            compared - unstable,
            compared,
            knownBare414),
        violations);
  }

  // ---------------------------------------------------------------- 6. soak

  /**
   * Soak: {@code rate} for {@code duration}, sampling each replica's RSS every 5 s. After a warm-up
   * (a fifth of the run, at least 20 s: JIT, heap sizing), RSS and latency must stay flat: RSS
   * grows at most 10 % + 32 MiB, and the last third's p99 is at most twice the first third's + 20
   * ms. Target also: zero failed requests.
   */
  Figures soak(Duration duration, double rate) {
    List<String> violations = new ArrayList<>();
    long rssBefore = cluster.maxRssMiB();
    Run run =
        driver.start(
            new Plan("soak", rate, (int) (rate * duration.toSeconds()) + 1, duration, 128));
    List<long[]> samples = new ArrayList<>(); // [seconds since start, rss KiB of each replica...]
    long started = System.nanoTime();
    while (System.nanoTime() - started < duration.toNanos()) {
      long[] sample = new long[cluster.replicas().size() + 1];
      sample[0] = (System.nanoTime() - started) / 1_000_000_000L;
      for (int i = 0; i < cluster.replicas().size(); i++) {
        sample[i + 1] = cluster.replicas().get(i).rssKiB();
      }
      samples.add(sample);
      ReplicaProcess.sleep(Duration.ofSeconds(5));
    }
    LoadResult result = run.await();
    long[] last = new long[cluster.replicas().size() + 1];
    for (int i = 0; i < cluster.replicas().size(); i++) {
      last[i + 1] = cluster.replicas().get(i).rssKiB();
    }
    double total = duration.toSeconds();
    double warmUp = Math.max(20, total / 5);
    long[] afterWarmUp =
        samples.stream()
            .filter(s -> s[0] >= warmUp)
            .findFirst()
            .orElse(samples.get(samples.size() - 1));
    double third = (total - warmUp) / 3;
    List<String> growth = new ArrayList<>();
    for (int i = 0; i < cluster.replicas().size(); i++) {
      double from = afterWarmUp[i + 1] / 1024.0;
      double to = last[i + 1] / 1024.0;
      StringBuilder timeline = new StringBuilder(cluster.replicas().get(i).name());
      for (int k = 0; k < 3; k++) {
        double at = warmUp + k * third;
        int replica = i + 1;
        long kib =
            samples.stream().filter(s -> s[0] >= at).findFirst().map(s -> s[replica]).orElse(0L);
        timeline.append(String.format(Locale.ROOT, " %d→", kib / 1024));
      }
      growth.add(timeline.append(String.format(Locale.ROOT, "%.0f", to)).toString());
      if (to > from * 1.10 + 32) {
        violations.add(
            String.format(
                Locale.ROOT,
                "%s RSS grew from %.0f to %.0f MiB after warm-up",
                cluster.replicas().get(i).name(),
                from,
                to));
      }
    }
    double firstP99 =
        result.dueBetween(warmUp, warmUp + third).latency(Verdict.CORRECT).percentile(0.99);
    double middleP99 =
        result
            .dueBetween(warmUp + third, warmUp + 2 * third)
            .latency(Verdict.CORRECT)
            .percentile(0.99);
    double lastP99 =
        result.dueBetween(warmUp + 2 * third, total).latency(Verdict.CORRECT).percentile(0.99);
    if (lastP99 > 2 * firstP99 + 20) {
      violations.add(
          String.format(Locale.ROOT, "p99 drifted from %.0f ms to %.0f ms", firstP99, lastP99));
    }
    requireNoFailures(result, violations);
    long warmRss = 0;
    for (int i = 1; i < afterWarmUp.length; i++) {
      warmRss = Math.max(warmRss, afterWarmUp[i] / 1024);
    }
    return new Figures(
        String.format(Locale.ROOT, "6. soak (%.0f req/s for %d s)", rate, duration.toSeconds()),
        result.requests(),
        result.notCorrect().size(),
        result.count(Verdict.SHED),
        result.latency(Verdict.CORRECT).percentile(0.5),
        result.latency(Verdict.CORRECT).percentile(0.99),
        warmRss,
        cluster.maxRssMiB(),
        "-",
        String.format(
            Locale.ROOT,
            "RSS before the soak %d MiB; per replica after the %.0f s warm-up, at each third and at the end (MiB): %s; p99 by third after warm-up: %.1f / %.1f / %.1f ms; client statuses %s",
            rssBefore,
            warmUp,
            String.join(", ", growth),
            firstP99,
            middleP99,
            lastP99,
            result.statusCodes()),
        violations);
  }

  // ---------------------------------------------------------------- helpers

  private static Plan plan(String tag, double rate, Duration maxDuration) {
    return new Plan(tag, rate, (int) Math.ceil(rate * maxDuration.toSeconds()), maxDuration, 64);
  }

  private static void requireNoFailures(LoadResult result, List<String> violations) {
    List<LoadDriver.Outcome> failures = result.notCorrect();
    if (!failures.isEmpty()) {
      violations.add(
          failures.size()
              + " of "
              + result.requests()
              + " requests failed:\n"
              + result.describeFailures(failures));
    }
  }

  /**
   * Waits until the gateway's log shows a 200 from {@code replica} finished at or after {@code
   * sinceMillis}; seconds after it, or -1 after {@link #REJOIN_TIMEOUT}, recorded as a violation.
   */
  private double awaitServed(
      ReplicaProcess replica, long logOffset, long sinceMillis, List<String> violations) {
    long deadline = System.nanoTime() + REJOIN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Entry entry : AccessLog.readFrom(cluster.gateway().accessLog(), logOffset)) {
        if (entry.epochMillis() >= sinceMillis
            && entry.attempts().contains(new Attempt(replica.upstreamAddress(), 200))) {
          return (entry.epochMillis() - sinceMillis) / 1000.0;
        }
      }
      ReplicaProcess.sleep(Duration.ofMillis(100));
    }
    violations.add(
        replica.name()
            + " got no traffic within "
            + REJOIN_TIMEOUT.toSeconds()
            + " s of being ready");
    return -1;
  }

  /** Attempts at {@code replica} in requests that finished in [from, to), counted by status. */
  private static Map<Integer, Long> attemptsAt(
      List<Entry> log, ReplicaProcess replica, long fromMillis, long toMillis) {
    Map<Integer, Long> byStatus = new TreeMap<>();
    for (Entry entry : log) {
      if (entry.epochMillis() < fromMillis || entry.epochMillis() >= toMillis) {
        continue;
      }
      for (Attempt attempt : entry.attempts()) {
        if (attempt.address().equals(replica.upstreamAddress())) {
          byStatus.merge(attempt.status(), 1L, Long::sum);
        }
      }
    }
    return byStatus;
  }

  /** Requests nginx sent to more than one replica. */
  private static long retried(List<Entry> log) {
    return log.stream().filter(e -> e.attempts().size() > 1).count();
  }

  /** Upstream attempts that did not get a 200, by status ("502" = connection refused or reset). */
  private static Map<Integer, Long> refusedAttempts(List<Entry> log) {
    return log.stream()
        .flatMap(e -> e.attempts().stream())
        .filter(a -> a.status() != 200)
        .collect(Collectors.groupingBy(Attempt::status, TreeMap::new, Collectors.counting()));
  }

  private static String mib(Map<String, Long> kib) {
    return kib.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue() / 1024)
        .collect(Collectors.joining(", "));
  }

  private static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  @Override
  public void close() {
    driver.close();
  }
}
