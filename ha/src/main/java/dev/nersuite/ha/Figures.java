package dev.nersuite.ha;

import dev.nersuite.ha.LoadDriver.Verdict;
import java.util.ArrayList;
import java.util.List;

/**
 * One row of the figures table: what a scenario measured, plus the target checks it failed (empty
 * when every target was met). Both tiers (ha/: processes behind nginx; e2e/: pods behind an Ingress
 * controller) build their rows with {@link #of}. Immutable and thread-safe.
 *
 * @param requests requests the clients sent
 * @param failures requests that did not get the right answer (for overload: besides 503 shedding)
 * @param shed 503 answers with Retry-After (the service refusing work it cannot take)
 * @param p50Millis median latency of correct answers
 * @param p99Millis 99th percentile latency of correct answers
 * @param memoryBeforeMiB largest replica's memory before the scenario, -1 when not measured
 * @param memoryAfterMiB largest replica's memory after it, -1 when not measured
 * @param recovery how fast the service was whole again, in words and figures
 * @param notes the scenario's other figures
 * @param violations targets not met, each with its evidence
 */
public record Figures(
    String scenario,
    int requests,
    int failures,
    long shed,
    double p50Millis,
    double p99Millis,
    long memoryBeforeMiB,
    long memoryAfterMiB,
    String recovery,
    String notes,
    List<String> violations) {
  public Figures {
    violations = List.copyOf(violations);
  }

  public boolean met() {
    return violations.isEmpty();
  }

  /** A row for {@code scenario}, filled in step by step. */
  public static Builder of(String scenario) {
    return new Builder(scenario);
  }

  /** Collects one row. Not thread-safe: one scenario builds its own row. */
  public static final class Builder {
    private final String scenario;
    private int requests;
    private int failures;
    private long shed;
    private double p50 = Double.NaN;
    private double p99 = Double.NaN;
    private long memoryBefore = -1;
    private long memoryAfter = -1;
    private String recovery = "-";
    private String notes = "";
    private final List<String> violations = new ArrayList<>();

    private Builder(String scenario) {
      this.scenario = scenario;
    }

    /**
     * The load stream's figures: requests, every answer that was not correct as a failure, 503s
     * shed, latency of the correct answers; and the target "zero failed requests", added as a
     * violation listing the first failures when it was missed.
     */
    public Builder allCorrect(LoadResult result) {
      load(result, result.notCorrect().size(), result.latency(Verdict.CORRECT));
      requireAllCorrect(result, violations);
      return this;
    }

    /** The stream's figures with the failures and latency the scenario counts itself. */
    public Builder load(LoadResult result, int failures, LatencyStats latency) {
      this.requests = result.requests();
      this.failures = failures;
      this.shed = result.count(Verdict.SHED);
      return latency(latency);
    }

    public Builder counts(int requests, int failures, long shed) {
      this.requests = requests;
      this.failures = failures;
      this.shed = shed;
      return this;
    }

    public Builder latency(LatencyStats latency) {
      this.p50 = latency.percentile(0.5);
      this.p99 = latency.percentile(0.99);
      return this;
    }

    public Builder memory(long beforeMiB, long afterMiB) {
      this.memoryBefore = beforeMiB;
      this.memoryAfter = afterMiB;
      return this;
    }

    public Builder recovery(String recovery) {
      this.recovery = recovery;
      return this;
    }

    public Builder notes(String notes) {
      this.notes = notes;
      return this;
    }

    /** Targets missed, each with its evidence (kept in order, after any added before). */
    public Builder violations(List<String> missed) {
      violations.addAll(missed);
      return this;
    }

    public Figures build() {
      return new Figures(
          scenario,
          requests,
          failures,
          shed,
          p50,
          p99,
          memoryBefore,
          memoryAfter,
          recovery,
          notes,
          violations);
    }
  }

  /** Adds "N of M requests failed" with the first failures when {@code result} has any. */
  public static void requireAllCorrect(LoadResult result, List<String> violations) {
    List<LoadDriver.Outcome> failures = result.notCorrect();
    if (!failures.isEmpty()) {
      violations.add(
          failures.size()
              + " of "
              + result.requests()
              + " requests failed:\n"
              + result.describeFailures(failures));
    }
  }
}
