package dev.nersuite.e2e;

import dev.nersuite.ha.Figures;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 6: {@code kubectl drain} of the second node under a checked stream through the Ingress.
 * First {@code replicas - 1} API pods are placed on that node (the first node cordoned meanwhile),
 * so the drain must evict several and the PodDisruptionBudget ({@code maxUnavailable: 1}) has to
 * hold it back: each eviction beyond the first is refused until a replacement is Ready on the other
 * node. Targets: never fewer than {@code replicas - 1} Ready API pods; the API server refused at
 * least one eviction for the budget; zero failed requests. Not thread-safe.
 */
final class DrainScenario {
  private final ClusterContext cluster;
  private final int replicas;
  private final double rate;

  DrainScenario(ClusterContext cluster, int replicas, double rate) {
    this.cluster = cluster;
    this.replicas = replicas;
    this.rate = rate;
  }

  Figures run() throws Exception {
    List<String> nodes = cluster.settings().nodes();
    if (nodes.size() < 2) {
      throw new IllegalStateException("a drain needs a second node: run with E2E_NODES=2");
    }
    String keep = nodes.get(0);
    String drained = nodes.get(1);
    int startCount = cluster.awaitSettled(Duration.ofMinutes(5));
    List<String> violations = new ArrayList<>();
    // Crowd the node to drain: new pods can only go there while the other one is cordoned.
    cluster.kube().kubectl("cordon", keep);
    try {
      cluster.scaleApi(replicas);
    } finally {
      cluster.kube().kubectl("uncordon", keep);
    }
    long onDrained = cluster.apiPods().stream().filter(p -> p.node().equals(drained)).count();
    long before = cluster.maxApiMemoryMiB();
    String[] drainOutput = new String[1];
    FaultRun run =
        FaultRun.run(
            cluster,
            "drain",
            rate,
            Duration.ofMinutes(20),
            watch -> {
              long t0 = System.nanoTime();
              Kube.Result drain =
                  cluster
                      .kube()
                      .tryKubectl(
                          Duration.ofMinutes(15),
                          "drain",
                          drained,
                          "--ignore-daemonsets",
                          "--delete-emptydir-data",
                          "--timeout=14m");
              drainOutput[0] = drain.out() + drain.err();
              if (!drain.ok()) {
                violations.add("kubectl drain failed: " + drainOutput[0]);
              }
              return String.format(
                  Locale.ROOT,
                  "kubectl drain %s took %.1f s",
                  drained,
                  (System.nanoTime() - t0) / 1e9);
            });
    long refused = drainOutput[0].lines().filter(l -> l.contains("disruption budget")).count();
    long evicted =
        drainOutput[0].lines().filter(l -> l.contains("evicted") && l.contains("api")).count();
    long minReady = run.watch().minReady();
    if (minReady < replicas - 1) {
      violations.add(
          "only "
              + minReady
              + " API pods were Ready at one point: the budget allows 1 unavailable of "
              + replicas);
    }
    if (onDrained >= 2 && refused == 0) {
      violations.add(
          "no eviction was refused for the PodDisruptionBudget although "
              + onDrained
              + " API pods were on "
              + drained);
    }
    Figures.requireAllCorrect(run.result(), violations);
    violations.addAll(run.servedWhileNotReady());
    long leftOnDrained = cluster.apiPods().stream().filter(p -> p.node().equals(drained)).count();
    cluster.kube().kubectl("uncordon", drained);
    cluster.scaleApi(startCount);
    return Figures.of(
            String.format(
                Locale.ROOT, "6. kubectl drain %s (%d API pods there)", drained, onDrained))
        .load(run.result(), run.result().notCorrect().size(), run.result().latency(Verdict.CORRECT))
        .memory(before, cluster.maxApiMemoryMiB())
        .recovery(
            run.faultFigures()
                + String.format(
                    Locale.ROOT,
                    "; fewest Ready API pods %d of %d (budget: maxUnavailable 1); API pods left on it %d",
                    minReady,
                    replicas,
                    leftOnDrained))
        .notes(
            String.format(
                    Locale.ROOT,
                    "API pods evicted %d; evictions refused for the PodDisruptionBudget (kubectl retried) %d; ",
                    evicted,
                    refused)
                + run.notes(rate))
        .violations(violations)
        .build();
  }
}
