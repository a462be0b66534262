package dev.nersuite.ha;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Scenario 1b: SIGTERM to replicas that never served a request. Not thread-safe. */
final class StopBeforeTrafficScenario {
  private final HaContext ha;

  StopBeforeTrafficScenario(HaContext ha) {
    this.ha = ha;
  }

  static final Duration IDLE_STOP_BUDGET = Duration.ofSeconds(15);

  /**
   * SIGTERM before any traffic, as a scale-down or a rollout may send to a pod that never got a
   * request: once to a ready replica that has served nothing, once to a replica still loading its
   * model (held back). Target: each exits within {@link #IDLE_STOP_BUDGET}, instead of hanging
   * until the orchestrator's SIGKILL.
   */
  Figures run() {
    List<String> violations = new ArrayList<>();
    List<String> exits = new ArrayList<>();
    try (ReplicaProcess spare = ha.cluster().spare("spare")) {
      spare.start(List.of());
      spare.awaitReady(Cluster.START_TIMEOUT);
      exits.add("ready, never asked: " + exitAfterSigterm(spare, violations));
      spare.start(List.of("-Dner.model.path=" + new HeldBackModel(ha.cluster()).bundle()));
      HeldBackModel.awaitLive(spare);
      exits.add("still loading its model: " + exitAfterSigterm(spare, violations));
    }
    return Figures.of("1b. SIGTERM before any traffic (spare replica)")
        .counts(0, violations.size(), 0)
        .memory(ha.cluster().maxRssMiB(), ha.cluster().maxRssMiB())
        .recovery(String.join("; ", exits))
        .notes(
            "a replica outside the upstream gets SIGTERM with no request ever served; budget "
                + IDLE_STOP_BUDGET.toSeconds()
                + " s (shutdown delay 3 s + an empty drain)")
        .violations(violations)
        .build();
  }

  private static String exitAfterSigterm(ReplicaProcess replica, List<String> violations) {
    try {
      return String.format(
          Locale.ROOT,
          "exited %.1f s after SIGTERM",
          HaContext.seconds(replica.terminate(IDLE_STOP_BUDGET)));
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
}
