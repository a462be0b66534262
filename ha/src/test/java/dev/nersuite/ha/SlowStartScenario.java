package dev.nersuite.ha;

import dev.nersuite.ha.AccessLog.Entry;
import dev.nersuite.ha.LoadDriver.Run;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Scenario 3: a replica whose model is held back gets no traffic until ready. Not thread-safe. */
final class SlowStartScenario {
  private final HaContext ha;
  private final ReplicaProcess victim;
  private final double rate;
  private final Duration hold;

  SlowStartScenario(HaContext ha, ReplicaProcess victim, double rate, Duration hold) {
    this.ha = ha;
    this.victim = victim;
    this.rate = rate;
    this.hold = hold;
  }

  /**
   * Slow start: a replica is restarted with its model held back (a FIFO the harness feeds only
   * after {@code hold}, as a slow model volume would), so it runs and answers HTTP but is not
   * ready. nginx OSS has no active health checks, so the replica stays in the upstream: it must
   * refuse every recognition with 503 NOT_READY, which nginx retries on another replica. Targets:
   * clients see zero failures; the replica answers nothing before it is ready; it gets traffic once
   * ready.
   */
  Figures run() {
    long rssBefore = ha.cluster().maxRssMiB();
    List<String> violations = new ArrayList<>();
    Path bundle = new HeldBackModel(ha.cluster()).bundle();
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
    HeldBackModel.awaitLive(victim);
    ha.cluster().gateway().reload(); // forget the failures nginx counted while it was down
    logOffset = AccessLog.size(ha.cluster().gateway().accessLog());
    long streamAt = System.currentTimeMillis();
    run = ha.driver().start(HaContext.plan("slow-start", rate, Duration.ofSeconds(120)));
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
      new HeldBackModel(ha.cluster()).feed(bundle.resolve("model.onnx"));
      victim.awaitReady(Cluster.START_TIMEOUT);
      readyAt = System.currentTimeMillis();
      notReadyFor = (readyAt - startedAt) / 1000.0;
      rejoin = ha.awaitServed(victim, logOffset, readyAt, violations);
      ReplicaProcess.sleep(HaContext.TAIL);
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
    List<Entry> log = AccessLog.readFrom(ha.cluster().gateway().accessLog(), logOffset);
    Map<Integer, Long> notReady =
        HaContext.attemptsAt(
            log, victim, streamAt, readyAt - ReplicaProcess.PROBE_INTERVAL.toMillis() - 50);
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
    Figures.requireAllCorrect(result, violations);
    return Figures.of(
            "3. slow start (" + victim.name() + " not ready for " + Math.round(notReadyFor) + " s)")
        .load(result, result.notCorrect().size(), result.latency(Verdict.CORRECT))
        .memory(rssBefore, ha.cluster().maxRssMiB())
        .recovery(String.format(Locale.ROOT, "%s; served +%.1f s after ready", steps, rejoin))
        .notes(
            String.format(
                Locale.ROOT,
                "%.0f req/s; while not ready %s got %d attempts (by status %s) and answered %d; nginx"
                    + " retried every refused one on a replica not tried yet; %s; client statuses %s",
                rate,
                victim.name(),
                refused + answered,
                notReady,
                answered,
                ha.cluster().gateway().retry503() == NginxGateway.Retry503.COUNTED
                    ? "passive checks (max_fails="
                        + NginxGateway.MAX_FAILS
                        + ") took it out after "
                        + NginxGateway.MAX_FAILS
                        + " refusals and probed it once per "
                        + NginxGateway.FAIL_TIMEOUT_SECONDS
                        + " s"
                    : "a 503 does not count toward max_fails, so it stayed in rotation",
                result.statusCodes()))
        .violations(violations)
        .build();
  }
}
