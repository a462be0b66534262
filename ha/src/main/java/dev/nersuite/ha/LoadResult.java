package dev.nersuite.ha;

import dev.nersuite.ha.LoadDriver.Outcome;
import dev.nersuite.ha.LoadDriver.Verdict;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Every outcome of one load stream, in completion order, with the figures the scenarios report.
 * Immutable and thread-safe.
 *
 * @param startNanos when the stream began ({@link System#nanoTime()})
 */
public record LoadResult(String tag, long startNanos, List<Outcome> outcomes) {
  public LoadResult {
    outcomes = List.copyOf(outcomes);
  }

  public int requests() {
    return outcomes.size();
  }

  public long count(Verdict verdict) {
    return outcomes.stream().filter(o -> o.verdict() == verdict).count();
  }

  /** Everything that was not a correct answer. */
  public List<Outcome> notCorrect() {
    return outcomes.stream().filter(o -> o.verdict() != Verdict.CORRECT).toList();
  }

  /** Failures when shedding is allowed: wrong results, other errors, no answer. */
  public List<Outcome> failuresBesidesShedding() {
    return outcomes.stream()
        .filter(o -> o.verdict() != Verdict.CORRECT && o.verdict() != Verdict.SHED)
        .toList();
  }

  public LatencyStats latency(Verdict verdict) {
    return new LatencyStats(
        outcomes.stream().filter(o -> o.verdict() == verdict).map(Outcome::latencyMillis).toList());
  }

  /** Outcomes of the requests due between the two offsets from the stream's start. */
  public LoadResult dueBetween(double fromSeconds, double toSeconds) {
    long from = startNanos + (long) (fromSeconds * 1e9);
    long to = startNanos + (long) (toSeconds * 1e9);
    return new LoadResult(
        tag,
        from,
        outcomes.stream().filter(o -> o.dueNanos() >= from && o.dueNanos() < to).toList());
  }

  /** "status CODE" to how many times, e.g. {@code 503 OVERLOADED=12}. */
  public Map<String, Long> statusCodes() {
    return outcomes.stream()
        .collect(
            Collectors.groupingBy(
                o -> (o.status() + " " + o.code()).strip(), TreeMap::new, Collectors.counting()));
  }

  /** Correct answers per second over the span of the requests' due times. */
  public double correctPerSecond() {
    if (outcomes.isEmpty()) {
      return 0;
    }
    long first = outcomes.stream().mapToLong(Outcome::dueNanos).min().orElseThrow();
    long last = outcomes.stream().mapToLong(Outcome::doneNanos).max().orElseThrow();
    return count(Verdict.CORRECT) / Math.max(1e-9, (last - first) / 1e9);
  }

  /** The first few failures, for assertion messages. */
  public String describeFailures(List<Outcome> failures) {
    return failures.stream()
        .limit(10)
        .map(
            o ->
                "#"
                    + o.sequence()
                    + " "
                    + o.verdict()
                    + " "
                    + o.status()
                    + " "
                    + o.code()
                    + " "
                    + o.detail())
        .collect(Collectors.joining("\n"));
  }
}
