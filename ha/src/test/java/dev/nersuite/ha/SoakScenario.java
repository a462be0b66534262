package dev.nersuite.ha;

import dev.nersuite.ha.LoadDriver.Plan;
import dev.nersuite.ha.LoadDriver.Run;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Scenario 6: sustained load, memory and latency must stay flat. Not thread-safe. */
final class SoakScenario {
  private final HaContext ha;
  private final Duration duration;
  private final double rate;

  SoakScenario(HaContext ha, Duration duration, double rate) {
    this.ha = ha;
    this.duration = duration;
    this.rate = rate;
  }

  /**
   * Soak: {@code rate} for {@code duration}, sampling each replica's RSS every 5 s. After a warm-up
   * (a fifth of the run, at least 20 s: JIT, heap sizing), RSS and latency must stay flat: RSS
   * grows at most 10 % + 32 MiB, and the last third's p99 is at most twice the first third's + 20
   * ms. Target also: zero failed requests.
   */
  Figures run() {
    List<String> violations = new ArrayList<>();
    long rssBefore = ha.cluster().maxRssMiB();
    Run run =
        ha.driver()
            .start(new Plan("soak", rate, (int) (rate * duration.toSeconds()) + 1, duration, 128));
    List<long[]> samples = new ArrayList<>(); // [seconds since start, rss KiB of each replica...]
    long started = System.nanoTime();
    while (System.nanoTime() - started < duration.toNanos()) {
      long[] sample = new long[ha.cluster().replicas().size() + 1];
      sample[0] = (System.nanoTime() - started) / 1_000_000_000L;
      for (int i = 0; i < ha.cluster().replicas().size(); i++) {
        sample[i + 1] = ha.cluster().replicas().get(i).rssKiB();
      }
      samples.add(sample);
      ReplicaProcess.sleep(Duration.ofSeconds(5));
    }
    LoadResult result = run.await();
    long[] last = new long[ha.cluster().replicas().size() + 1];
    for (int i = 0; i < ha.cluster().replicas().size(); i++) {
      last[i + 1] = ha.cluster().replicas().get(i).rssKiB();
    }
    double total = duration.toSeconds();
    double warmUp = Math.max(20, total / 5);
    long[] afterWarmUp =
        samples.stream()
            .filter(s -> s[0] >= warmUp)
            .findFirst()
            .orElse(samples.get(samples.size() - 1));
    double third = (total - warmUp) / 3;
    List<String> growth = new ArrayList<>();
    for (int i = 0; i < ha.cluster().replicas().size(); i++) {
      double from = afterWarmUp[i + 1] / 1024.0;
      double to = last[i + 1] / 1024.0;
      StringBuilder timeline = new StringBuilder(ha.cluster().replicas().get(i).name());
      for (int k = 0; k < 3; k++) {
        double at = warmUp + k * third;
        int replica = i + 1;
        long kib =
            samples.stream().filter(s -> s[0] >= at).findFirst().map(s -> s[replica]).orElse(0L);
        timeline.append(String.format(Locale.ROOT, " %d→", kib / 1024));
      }
      growth.add(timeline.append(String.format(Locale.ROOT, "%.0f", to)).toString());
      if (to > from * 1.10 + 32) {
        violations.add(
            String.format(
                Locale.ROOT,
                "%s RSS grew from %.0f to %.0f MiB after warm-up",
                ha.cluster().replicas().get(i).name(),
                from,
                to));
      }
    }
    double firstP99 =
        result.dueBetween(warmUp, warmUp + third).latency(Verdict.CORRECT).percentile(0.99);
    double middleP99 =
        result
            .dueBetween(warmUp + third, warmUp + 2 * third)
            .latency(Verdict.CORRECT)
            .percentile(0.99);
    double lastP99 =
        result.dueBetween(warmUp + 2 * third, total).latency(Verdict.CORRECT).percentile(0.99);
    if (lastP99 > 2 * firstP99 + 20) {
      violations.add(
          String.format(Locale.ROOT, "p99 drifted from %.0f ms to %.0f ms", firstP99, lastP99));
    }
    Figures.requireAllCorrect(result, violations);
    long warmRss = 0;
    for (int i = 1; i < afterWarmUp.length; i++) {
      warmRss = Math.max(warmRss, afterWarmUp[i] / 1024);
    }
    return Figures.of(
            String.format(Locale.ROOT, "6. soak (%.0f req/s for %d s)", rate, duration.toSeconds()))
        .load(result, result.notCorrect().size(), result.latency(Verdict.CORRECT))
        .memory(warmRss, ha.cluster().maxRssMiB())
        .recovery("-")
        .notes(
            String.format(
                Locale.ROOT,
                "RSS before the soak %d MiB; per replica after the %.0f s warm-up, at each third and at the end (MiB): %s; p99 by third after warm-up: %.1f / %.1f / %.1f ms; client statuses %s",
                rssBefore,
                warmUp,
                String.join(", ", growth),
                firstP99,
                middleP99,
                lastP99,
                result.statusCodes()))
        .violations(violations)
        .build();
  }
}
