package dev.nersuite.ha;

import dev.nersuite.ha.AccessLog.Entry;
import dev.nersuite.ha.LoadDriver.Mix;
import dev.nersuite.ha.LoadDriver.Plan;
import dev.nersuite.ha.LoadDriver.Run;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Scenario 4: three times capacity with small admission limits. Not thread-safe. */
final class OverloadScenario {
  private final HaContext ha;
  private final int queueSize;
  private final int maxInFlight;
  private final double factor;
  private final Duration duration;

  OverloadScenario(HaContext ha, int queueSize, int maxInFlight, double factor, Duration duration) {
    this.ha = ha;
    this.queueSize = queueSize;
    this.maxInFlight = maxInFlight;
    this.factor = factor;
    this.duration = duration;
  }

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
  Figures run() {
    List<String> violations = new ArrayList<>();
    // Capacity with the default limits, so the measurement itself never sheds.
    LoadResult calibration =
        ha.driver()
            .runClosedLoop(
                "capacity",
                Mix.LONG_BATCHES,
                CAPACITY_CLIENTS_PER_REPLICA * ha.cluster().replicas().size(),
                Duration.ofSeconds(10),
                100_000);
    double capacity = calibration.correctPerSecond();
    double baselineP99 = calibration.latency(Verdict.CORRECT).percentile(0.99);
    if (!calibration.notCorrect().isEmpty()) {
      violations.add(
          "capacity run had failures: " + calibration.describeFailures(calibration.notCorrect()));
    }
    ha.cluster()
        .restartAll(
            List.of(
                "-Dner.inference.queue-size=" + queueSize,
                "-Dner.inference.max-in-flight=" + maxInFlight));
    try {
      // The restarted JVMs compile their hot paths first: warm them at half of capacity, so the
      // overload meets replicas in their steady state.
      ha.driver()
          .run(
              new Plan(
                  "overload-warm-up",
                  capacity / 2,
                  (int) (capacity / 2 * WARM_UP.toSeconds()) + 1,
                  WARM_UP,
                  64,
                  Mix.LONG_BATCHES));
      long rssBefore = ha.cluster().maxRssMiB();
      long logOffset = AccessLog.size(ha.cluster().gateway().accessLog());
      RssSampler sampler = RssSampler.start(ha.cluster());
      double offered = factor * capacity;
      Run overload =
          ha.driver()
              .start(
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
          ha.driver()
              .start(
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
      List<Entry> log = AccessLog.readFrom(ha.cluster().gateway().accessLog(), logOffset);

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
      for (ReplicaProcess replica : ha.cluster().replicas()) {
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
      if (peakMiB > HaContext.MEMORY_LIMIT_MIB) {
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
      return Figures.of(
              String.format(
                  Locale.ROOT,
                  "4. overload (%.0f× capacity, queue %d rows, %d in flight)",
                  factor,
                  queueSize,
                  maxInFlight))
          .load(over, over.failuresBesidesShedding().size(), accepted)
          .memory(rssBefore, ha.cluster().maxRssMiB())
          .recovery(
              String.format(
                  Locale.ROOT,
                  "%s after the drop: %d/%d correct, %.0f of %.0f req/s",
                  lastBad == 0 ? "at once" : String.format(Locale.ROOT, "%.1f s", lastBad),
                  rec.count(Verdict.CORRECT),
                  rec.requests(),
                  rec.correctPerSecond(),
                  after))
          .notes(
              String.format(
                  Locale.ROOT,
                  "requests are batches of %d paragraphs (~%,d characters); capacity %.0f req/s (closed loop, %d clients, p99 %.0f ms); offered %.0f req/s for %d s (sent %.0f/s); accepted %.0f req/s; 503 p50/p99 %.1f/%.0f ms; client statuses %s; RSS peak per replica %s MiB; nginx attempts refused %s",
                  LoadDriver.LONG_BATCH_TEXTS,
                  LoadDriver.LONG_BATCH_TEXTS * 200,
                  capacity,
                  CAPACITY_CLIENTS_PER_REPLICA * ha.cluster().replicas().size(),
                  baselineP99,
                  offered,
                  duration.toSeconds(),
                  sentPerSecond,
                  over.count(Verdict.CORRECT) / (double) duration.toSeconds(),
                  shed.percentile(0.5),
                  shed.percentile(0.99),
                  over.statusCodes(),
                  HaContext.mib(peaks),
                  HaContext.refusedAttempts(log)))
          .violations(violations)
          .build();
    } finally {
      ha.cluster().restartAll(List.of());
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
}
