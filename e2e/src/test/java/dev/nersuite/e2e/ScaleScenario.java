package dev.nersuite.e2e;

import dev.nersuite.ha.Figures;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 5: {@code kubectl scale} of the API Deployment (the HPA off, as docs/deploy.md says for
 * manual scaling) to {@code n} replicas and back, under a checked stream through the Ingress.
 * Target: zero failed requests. Not thread-safe.
 */
final class ScaleScenario {
  private final ClusterContext cluster;
  private final int from;
  private final int to;
  private final double rate;

  ScaleScenario(ClusterContext cluster, int from, int to, double rate) {
    this.cluster = cluster;
    this.from = from;
    this.to = to;
    this.rate = rate;
  }

  Figures run() throws Exception {
    List<String> violations = new ArrayList<>();
    cluster.awaitSettled(Duration.ofMinutes(5));
    long before = cluster.maxApiMemoryMiB();
    FaultRun run =
        FaultRun.run(
            cluster,
            "scale",
            rate,
            Duration.ofMinutes(15),
            watch -> {
              double up = cluster.scaleApi(to);
              ClusterContext.sleep(ClusterContext.TAIL);
              double down = cluster.scaleApi(from);
              return String.format(
                  Locale.ROOT,
                  "%d → %d: all Ready after %.1f s; %d → %d: old pods gone after %.1f s",
                  from,
                  to,
                  up,
                  to,
                  from,
                  down);
            });
    Figures.requireAllCorrect(run.result(), violations);
    violations.addAll(run.servedWhileNotReady());
    return Figures.of(String.format(Locale.ROOT, "5. kubectl scale %d → %d → %d", from, to, from))
        .load(run.result(), run.result().notCorrect().size(), run.result().latency(Verdict.CORRECT))
        .memory(before, cluster.maxApiMemoryMiB())
        .recovery(run.faultFigures())
        .notes(run.notes(rate))
        .violations(violations)
        .build();
  }
}
