package dev.nersuite.e2e;

import dev.nersuite.ha.Figures;
import dev.nersuite.ha.LoadDriver;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Scenario 3: an API pod lost under load through the Ingress, two ways: (a) {@code kubectl delete
 * pod} (graceful: preStop, SIGTERM, drain; the Deployment replaces it), (b) SIGKILL of the API
 * container's process on its node (the kubelet restarts the container in the same pod, with the
 * same address, not ready until its model is loaded). Targets: readiness keeps traffic off the pod
 * while it is not Ready; every failed request is reported with its reason; zero failures where the
 * scenario says so. Not thread-safe.
 */
final class PodLossScenario {
  enum Kind {
    DELETE,
    SIGKILL
  }

  /** What the failed requests may be. */
  enum Target {
    /** None may fail. */
    ZERO_FAILURES,
    /**
     * Every failure is reported with its reason; none is a missed target (the chart's defaults).
     */
    REPORT_FAILURES,
    /**
     * Only requests Traefik had sent to the pod before it was killed may fail (they were in its
     * hands; Traefik's retry repeats only what no pod received); every later one must succeed.
     */
    ONLY_IN_FLIGHT_AT_THE_KILL
  }

  private final ClusterContext cluster;
  private final Kind kind;
  private final double rate;
  private final String number;
  private final String setup;
  private final Target target;
  private long killedAtMillis;

  /**
   * @param number the row's number in the figures table
   * @param setup what the row says about the Ingress's setup
   * @param target what the failed requests may be
   */
  PodLossScenario(
      ClusterContext cluster, Kind kind, double rate, String number, String setup, Target target) {
    this.cluster = cluster;
    this.kind = kind;
    this.rate = rate;
    this.number = number;
    this.setup = setup;
    this.target = target;
  }

  Figures run() throws Exception {
    List<String> violations = new ArrayList<>();
    long before = cluster.maxApiMemoryMiB();
    int pods = cluster.awaitSettled(Duration.ofMinutes(5));
    FaultRun run =
        FaultRun.run(
            cluster,
            "pod-loss-" + number,
            rate,
            Duration.ofMinutes(10),
            watch -> kind == Kind.DELETE ? delete(pods) : sigkill());
    violations.addAll(run.servedWhileNotReady());
    List<String> reasons = run.failureReasons();
    if (target == Target.ZERO_FAILURES) {
      Figures.requireAllCorrect(run.result(), violations);
    }
    long inFlight = 0;
    if (target == Target.ONLY_IN_FLIGHT_AT_THE_KILL) {
      for (LoadDriver.Outcome failed : run.result().notCorrect()) {
        IngressLog.Entry entry = run.entryOf(failed);
        if (entry != null && entry.start().toEpochMilli() < killedAtMillis) {
          inFlight++;
        } else {
          violations.add(
              "#"
                  + failed.sequence()
                  + " failed although Traefik "
                  + (entry == null
                      ? "has no record of it"
                      : "took it "
                          + (entry.start().toEpochMilli() - killedAtMillis)
                          + " ms after the kill")
                  + ": "
                  + failed.status()
                  + " "
                  + failed.detail());
        }
      }
    }
    return Figures.of(
            number
                + ". pod loss: "
                + (kind == Kind.DELETE ? "kubectl delete pod" : "SIGKILL of the API container")
                + " ("
                + setup
                + ")")
        .load(run.result(), run.result().notCorrect().size(), run.result().latency(Verdict.CORRECT))
        .memory(before, cluster.maxApiMemoryMiB())
        .recovery(run.faultFigures() + "; fewest Ready API pods " + run.watch().minReady())
        .notes(
            String.format(
                Locale.ROOT,
                "%.0f req/s through Traefik; %s; pods answering 200 while not Ready: %d; failed requests Traefik had sent to the pod before the kill: %d; every failure: %s",
                rate,
                run.ingressFigures(),
                run.servedWhileNotReady().size(),
                inFlight,
                reasons.isEmpty() ? "none" : String.join(" | ", reasons)))
        .violations(violations)
        .build();
  }

  private String delete(int pods) {
    ApiPod victim =
        cluster.apiPods().stream()
            .filter(p -> p.ready() && !p.terminating())
            .findFirst()
            .orElseThrow();
    cluster
        .kube()
        .kubectl(
            "-n", cluster.settings().namespace(), "delete", "pod", victim.name(), "--wait=false");
    double replaced = cluster.awaitApiPods(pods, Duration.ofMinutes(8));
    return String.format(
        Locale.ROOT,
        "deleted %s on %s; %d Ready pods again, none terminating, after %.1f s",
        victim.name(),
        victim.node(),
        pods,
        replaced);
  }

  private String sigkill() {
    // The pod restarted least: a container killed twice in a row waits out the kubelet's backoff.
    ApiPod victim =
        cluster.apiPods().stream()
            .filter(p -> p.ready() && !p.terminating())
            .min(java.util.Comparator.comparingInt(ApiPod::restarts))
            .orElseThrow();
    Kube.Result tasks =
        Kube.run(
            List.of(
                "ctr",
                "-a",
                cluster.settings().containerdSocket(victim.node()).toString(),
                "-n",
                "k8s.io",
                "tasks",
                "ls"),
            Duration.ofSeconds(30));
    String pid =
        tasks
            .out()
            .lines()
            .filter(line -> line.startsWith(victim.containerId()))
            .map(line -> line.trim().split("\\s+")[1])
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "no containerd task " + victim.containerId() + ":\n" + tasks.out()));
    long killedAt = System.nanoTime();
    killedAtMillis = System.currentTimeMillis();
    Kube.Result kill = Kube.run(List.of("kill", "-KILL", pid), Duration.ofSeconds(10));
    if (!kill.ok()) {
      throw new IllegalStateException("kill -KILL " + pid + " failed: " + kill.err());
    }
    // Back: restarted by the kubelet (restart count up) and Ready again.
    long deadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
    double notReadyAfter = -1;
    while (System.nanoTime() < deadline) {
      ApiPod now =
          cluster.apiPods().stream()
              .filter(p -> p.name().equals(victim.name()))
              .findFirst()
              .orElseThrow();
      if (!now.ready() && notReadyAfter < 0) {
        notReadyAfter = (System.nanoTime() - killedAt) / 1e9;
      }
      if (now.restarts() > victim.restarts() && now.ready()) {
        return String.format(
            Locale.ROOT,
            "SIGKILL pid %s (container %s of %s on %s); API server showed it not Ready after %.1f s;"
                + " restarted (restarts %d → %d) and Ready again after %.1f s",
            pid,
            victim.containerId().substring(0, 12),
            victim.name(),
            victim.node(),
            notReadyAfter,
            victim.restarts(),
            now.restarts(),
            (System.nanoTime() - killedAt) / 1e9);
      }
      ClusterContext.sleep(Duration.ofMillis(500));
    }
    throw new IllegalStateException(victim.name() + " was not restarted and Ready within 8 min");
  }
}
