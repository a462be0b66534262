package dev.nersuite.ha;

import java.util.List;

/**
 * One row of the figures table: what a scenario measured, plus the target checks it failed (empty
 * when every target was met). Immutable and thread-safe.
 *
 * @param requests requests the clients sent
 * @param failures requests that did not get the right answer (for overload: besides 503 shedding)
 * @param shed 503 answers with Retry-After (the service refusing work it cannot take)
 * @param p50Millis median latency of correct answers
 * @param p99Millis 99th percentile latency of correct answers
 * @param rssBeforeMiB largest replica resident memory before the scenario
 * @param rssAfterMiB largest replica resident memory after it
 * @param recovery how fast the service was whole again, in words and figures
 * @param notes the scenario's other figures
 * @param violations targets not met, each with its evidence
 */
record Figures(
    String scenario,
    int requests,
    int failures,
    long shed,
    double p50Millis,
    double p99Millis,
    long rssBeforeMiB,
    long rssAfterMiB,
    String recovery,
    String notes,
    List<String> violations) {
  Figures {
    violations = List.copyOf(violations);
  }

  boolean met() {
    return violations.isEmpty();
  }
}
