package dev.nersuite.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nersuite.ha.Figures;
import dev.nersuite.ha.LoadDriver;
import dev.nersuite.ha.LoadDriver.Verdict;
import dev.nersuite.ha.LoadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 4: CPU autoscaling through metrics-server and the chart's HPA. Sustained load through
 * the Ingress until the HPA has raised the replica count above its minimum and the new pods are
 * Ready (or {@link E2eSettings#autoscaleLoad} ran out); then no load until it is back at the
 * minimum. e2e/autoscaling-test-values.yaml shortens the scale-down window and turns the result
 * cache off (the corpus is small: with it every request was a cache hit). The replica count is
 * recorded every 5 s. Targets: above the minimum under load, back to it after, zero failed
 * requests. Not thread-safe.
 */
final class AutoscalingScenario {
  static final int MIN = 2;
  static final int MAX = 4;
  static final int SCALE_DOWN_WINDOW_SECONDS = 30;

  private final ClusterContext cluster;
  private final double rate;

  AutoscalingScenario(ClusterContext cluster, double rate) {
    this.cluster = cluster;
    this.rate = rate;
  }

  Figures run() throws Exception {
    List<String> violations = new ArrayList<>();
    cluster
        .helm()
        .upgrade(
            Map.of(),
            List.of(cluster.settings().values().resolveSibling("autoscaling-test-values.yaml")));
    JsonNode spec = cluster.kube().get("hpa", cluster.apiDeployment()).path("spec");
    if (spec.path("minReplicas").asInt() != MIN || spec.path("maxReplicas").asInt() != MAX) {
      throw new IllegalStateException(
          "autoscaling-test-values.yaml does not say min " + MIN + ", max " + MAX + ": " + spec);
    }
    cluster.awaitApiPods(MIN, Duration.ofMinutes(5));
    long before = cluster.maxApiMemoryMiB();
    List<String> timeline = new ArrayList<>();
    long t0 = System.currentTimeMillis();
    // Long paragraphs in batches: CPU work per request, so the pods' CPU use, not the driver's
    // rate, is what the HPA sees.
    LoadDriver.Plan plan =
        new LoadDriver.Plan(
            "autoscale",
            rate,
            (int) (rate * cluster.settings().autoscaleLoad().toSeconds()) + 1,
            cluster.settings().autoscaleLoad(),
            64,
            LoadDriver.Mix.LONG_BATCHES);
    LoadDriver.Run stream = cluster.driver().start(plan);
    int peak = MIN;
    double upAfter = -1;
    try {
      long deadline = System.nanoTime() + cluster.settings().autoscaleLoad().toNanos();
      while (System.nanoTime() < deadline) {
        Hpa hpa = hpa();
        timeline.add(hpa.describe(t0));
        peak = Math.max(peak, hpa.current());
        if (hpa.current() > MIN && cluster.readyApiPods() >= hpa.current()) {
          upAfter = (System.currentTimeMillis() - t0) / 1000.0;
          ClusterContext.sleep(Duration.ofSeconds(20)); // the new pods serve under load
          break;
        }
        ClusterContext.sleep(Duration.ofSeconds(5));
      }
    } finally {
      stream.stop();
    }
    LoadResult result = stream.await();
    long stoppedAt = System.currentTimeMillis();
    double downAfter = -1;
    long downDeadline = System.nanoTime() + Duration.ofMinutes(8).toNanos();
    while (System.nanoTime() < downDeadline) {
      Hpa hpa = hpa();
      timeline.add(hpa.describe(t0));
      if (hpa.current() == MIN && cluster.apiPods().size() == MIN) {
        downAfter = (System.currentTimeMillis() - stoppedAt) / 1000.0;
        break;
      }
      ClusterContext.sleep(Duration.ofSeconds(5));
    }
    if (upAfter < 0) {
      violations.add(
          "the HPA did not raise the replicas above "
              + MIN
              + " within "
              + cluster.settings().autoscaleLoad().toSeconds()
              + " s of load (peak "
              + peak
              + ")");
    }
    if (downAfter < 0) {
      violations.add("the HPA did not scale back to " + MIN + " within 8 min of the load's end");
    }
    Figures.requireAllCorrect(result, violations);
    return Figures.of("4. CPU autoscaling (HPA + metrics-server)")
        .load(result, result.notCorrect().size(), result.latency(Verdict.CORRECT))
        .memory(before, cluster.maxApiMemoryMiB())
        .recovery(
            String.format(
                Locale.ROOT,
                "%d → %d replicas, all Ready, %.0f s after the load began; back to %d %.0f s after it stopped",
                MIN,
                peak,
                upAfter,
                MIN,
                downAfter))
        .notes(
            String.format(
                Locale.ROOT,
                "%.1f req/s of %d-paragraph batches; HPA min %d max %d, target %s, scale-down window %d s (test value);"
                    + " client statuses %s; replicas over time (s: current/desired, CPU %% of request): %s",
                rate,
                LoadDriver.LONG_BATCH_TEXTS,
                MIN,
                MAX,
                "70 %",
                SCALE_DOWN_WINDOW_SECONDS,
                result.statusCodes(),
                String.join(", ", timeline)))
        .violations(violations)
        .build();
  }

  private record Hpa(int current, int desired, int cpuPercent) {
    String describe(long t0) {
      return String.format(
          Locale.ROOT,
          "%d: %d/%d %s",
          (System.currentTimeMillis() - t0) / 1000,
          current,
          desired,
          cpuPercent < 0 ? "?" : cpuPercent + "%");
    }
  }

  private Hpa hpa() {
    JsonNode hpa = cluster.kube().get("hpa", cluster.apiDeployment());
    JsonNode status = hpa.path("status");
    int cpu = -1;
    for (JsonNode metric : status.path("currentMetrics")) {
      JsonNode current = metric.path("resource").path("current");
      if (current.has("averageUtilization")) {
        cpu = current.path("averageUtilization").asInt();
      }
    }
    return new Hpa(
        status.path("currentReplicas").asInt(), status.path("desiredReplicas").asInt(), cpu);
  }
}
