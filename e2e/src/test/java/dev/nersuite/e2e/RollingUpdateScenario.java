package dev.nersuite.e2e;

import dev.nersuite.ha.Figures;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 2: {@code helm upgrade} that changes the API's pod template (an annotation), under a
 * stream through the Ingress whose every answer is checked. Target: zero failed requests. Not
 * thread-safe.
 */
final class RollingUpdateScenario {
  private final ClusterContext cluster;
  private final double rate;

  RollingUpdateScenario(ClusterContext cluster, double rate) {
    this.cluster = cluster;
    this.rate = rate;
  }

  Figures run() throws Exception {
    List<String> violations = new ArrayList<>();
    long before = cluster.maxApiMemoryMiB();
    int pods = cluster.awaitSettled(Duration.ofMinutes(5));
    FaultRun run =
        FaultRun.run(
            cluster,
            "rolling-update",
            rate,
            Duration.ofMinutes(15),
            watch -> {
              long t0 = System.nanoTime();
              cluster
                  .helm()
                  .upgrade(
                      // Not a bare number: --set would make it one, and annotations are strings.
                      Map.of("api.podAnnotations.e2e/rollout", "at-" + System.currentTimeMillis()));
              double rollout =
                  cluster.awaitRollout(cluster.apiDeployment(), Duration.ofMinutes(12));
              // The old pods are gone too (their preStop sleep and drain), all under load.
              cluster.awaitApiPods(pods, Duration.ofMinutes(5));
              return String.format(
                  Locale.ROOT,
                  "helm upgrade → %d new pods Ready and the old ones gone %.1f s (rollout status %.1f s)",
                  pods,
                  (System.nanoTime() - t0) / 1e9,
                  rollout);
            });
    Figures.requireAllCorrect(run.result(), violations);
    violations.addAll(run.servedWhileNotReady());
    return Figures.of("2. rolling update (helm upgrade, pod template changed)")
        .load(
            run.result(),
            run.result().notCorrect().size(),
            run.result().latency(dev.nersuite.ha.LoadDriver.Verdict.CORRECT))
        .memory(before, cluster.maxApiMemoryMiB())
        .recovery(run.faultFigures() + "; fewest Ready API pods " + run.watch().minReady())
        .notes(run.notes(rate))
        .violations(violations)
        .build();
  }
}
