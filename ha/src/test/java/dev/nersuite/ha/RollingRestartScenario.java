package dev.nersuite.ha;

import dev.nersuite.ha.AccessLog.Entry;
import dev.nersuite.ha.LoadDriver.Run;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Scenario 1: rolling restart under load. Not thread-safe (one test thread). */
final class RollingRestartScenario {
  private final HaContext ha;
  private final List<ReplicaProcess> order;
  private final double rate;

  RollingRestartScenario(HaContext ha, List<ReplicaProcess> order, double rate) {
    this.ha = ha;
    this.order = order;
    this.rate = rate;
  }

  /**
   * Rolling restart under load: SIGTERM each replica in turn, start it again, wait until it is
   * ready and nginx sends it traffic again, then the next one. Target: zero failed requests.
   */
  Figures run() {
    long rssBefore = ha.cluster().maxRssMiB();
    long logOffset = AccessLog.size(ha.cluster().gateway().accessLog());
    List<String> violations = new ArrayList<>();
    List<String> steps = new ArrayList<>();
    double worstReady = 0;
    double worstRejoin = 0;
    Run run =
        ha.driver()
            .start(
                HaContext.plan(
                    "rolling-restart", rate, Duration.ofSeconds(60L * order.size() + 60)));
    try {
      ReplicaProcess.sleep(HaContext.STEADY);
      for (ReplicaProcess replica : order) {
        double stopped = HaContext.seconds(replica.terminate(Cluster.STOP_TIMEOUT));
        replica.start(List.of());
        double ready = HaContext.seconds(replica.awaitReady(Cluster.START_TIMEOUT));
        long readyAt = System.currentTimeMillis();
        double rejoin = ha.awaitServed(replica, logOffset, readyAt, violations);
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
      ReplicaProcess.sleep(HaContext.TAIL);
    } finally {
      run.stop();
    }
    LoadResult result = run.await();
    List<Entry> log = AccessLog.readFrom(ha.cluster().gateway().accessLog(), logOffset);
    Figures.requireAllCorrect(result, violations);
    return Figures.of(
            "1. rolling restart ("
                + order.size()
                + " of "
                + ha.cluster().replicas().size()
                + " replicas, SIGTERM)")
        .load(result, result.notCorrect().size(), result.latency(Verdict.CORRECT))
        .memory(rssBefore, ha.cluster().maxRssMiB())
        .recovery(
            String.format(
                Locale.ROOT,
                "ready ≤ %.1f s after start; served again ≤ +%.1f s",
                worstReady,
                worstRejoin))
        .notes(
            String.format(
                Locale.ROOT,
                "%.0f req/s; %s; nginx retried %d requests elsewhere (%s); client statuses %s",
                rate,
                String.join("; ", steps),
                HaContext.retried(log),
                HaContext.refusedAttempts(log),
                result.statusCodes()))
        .violations(violations)
        .build();
  }
}
