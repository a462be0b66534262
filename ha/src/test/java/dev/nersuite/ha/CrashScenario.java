package dev.nersuite.ha;

import dev.nersuite.ha.AccessLog.Entry;
import dev.nersuite.ha.LoadDriver.Run;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Scenario 2: a replica SIGKILLed under load and restarted. Not thread-safe. */
final class CrashScenario {
  private final HaContext ha;
  private final ReplicaProcess victim;
  private final double rate;

  CrashScenario(HaContext ha, ReplicaProcess victim, double rate) {
    this.ha = ha;
    this.victim = victim;
    this.rate = rate;
  }

  /**
   * Crash under load: SIGKILL one replica, start it again at once. Targets: zero failed requests
   * (the gateway retries what the dead replica dropped); the replica answers nothing before it is
   * ready.
   */
  Figures run() {
    long rssBefore = ha.cluster().maxRssMiB();
    long logOffset = AccessLog.size(ha.cluster().gateway().accessLog());
    List<String> violations = new ArrayList<>();
    long killedAt;
    long readyAt;
    double ready;
    double rejoin;
    Run run = ha.driver().start(HaContext.plan("crash", rate, Duration.ofSeconds(120)));
    try {
      ReplicaProcess.sleep(HaContext.STEADY);
      killedAt = System.currentTimeMillis();
      victim.kill(Duration.ofSeconds(10));
      victim.start(List.of());
      victim.awaitReady(Cluster.START_TIMEOUT);
      readyAt = System.currentTimeMillis();
      ready = (readyAt - killedAt) / 1000.0;
      rejoin = ha.awaitServed(victim, logOffset, readyAt, violations);
      ReplicaProcess.sleep(HaContext.TAIL);
    } finally {
      run.stop();
    }
    LoadResult result = run.await();
    List<Entry> log = AccessLog.readFrom(ha.cluster().gateway().accessLog(), logOffset);
    Map<Integer, Long> whileDown = HaContext.attemptsAt(log, victim, killedAt, readyAt);
    // A 200 logged just after the kill was answered before it; one logged within a probe interval
    // before readiness was seen may be genuine: only what lies clearly between counts.
    long answeredWhileDown =
        HaContext.attemptsAt(
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
    Figures.requireAllCorrect(result, violations);
    return Figures.of("2. crash (SIGKILL " + victim.name() + ", restart)")
        .load(result, result.notCorrect().size(), result.latency(Verdict.CORRECT))
        .memory(rssBefore, ha.cluster().maxRssMiB())
        .recovery(
            String.format(
                Locale.ROOT, "ready %.1f s after SIGKILL; served again +%.1f s", ready, rejoin))
        .notes(
            String.format(
                Locale.ROOT,
                "%.0f req/s; attempts at %s between kill and ready, by status: %s; nginx retried %d requests elsewhere (%s); client statuses %s",
                rate,
                victim.name(),
                whileDown,
                HaContext.retried(log),
                HaContext.refusedAttempts(log),
                result.statusCodes()))
        .violations(violations)
        .build();
  }
}
