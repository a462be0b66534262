package dev.nersuite.ha;

import dev.nersuite.ha.AccessLog.Attempt;
import dev.nersuite.ha.AccessLog.Entry;
import dev.nersuite.ha.LoadDriver.Plan;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What every scenario of this tier works with: the replicas behind nginx, the load driver aimed at
 * nginx, and the checks on nginx's access log that tell what clients cannot see (which replica
 * answered, what nginx retried). Not thread-safe: one test thread runs the scenarios one after
 * another.
 */
final class HaContext implements AutoCloseable {
  /** Load before the first fault, so every replica and nginx are in steady state. */
  static final Duration STEADY = Duration.ofSeconds(3);

  /** Load after the last fault, so late failures and the rejoin are seen. */
  static final Duration TAIL = Duration.ofSeconds(4);

  /** Longest a ready replica may take to get traffic again: nginx probes it after fail_timeout. */
  static final Duration REJOIN_TIMEOUT = Duration.ofSeconds(NginxGateway.FAIL_TIMEOUT_SECONDS + 10);

  /** A replica's memory limit in the Helm chart; a replica above it would be OOM-killed there. */
  static final long MEMORY_LIMIT_MIB = 1024;

  private final Cluster cluster;
  private final LoadDriver driver;

  HaContext(Cluster cluster) {
    this.cluster = cluster;
    this.driver = new LoadDriver(cluster.gateway().uri(""), cluster.corpus());
  }

  Cluster cluster() {
    return cluster;
  }

  LoadDriver driver() {
    return driver;
  }

  static Plan plan(String tag, double rate, Duration maxDuration) {
    return new Plan(tag, rate, (int) Math.ceil(rate * maxDuration.toSeconds()), maxDuration, 64);
  }

  /**
   * Waits until the gateway's log shows a 200 from {@code replica} finished at or after {@code
   * sinceMillis}; seconds after it, or -1 after {@link #REJOIN_TIMEOUT}, recorded as a violation.
   */
  double awaitServed(
      ReplicaProcess replica, long logOffset, long sinceMillis, List<String> violations) {
    long deadline = System.nanoTime() + REJOIN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (Entry entry : AccessLog.readFrom(cluster.gateway().accessLog(), logOffset)) {
        if (entry.epochMillis() >= sinceMillis
            && entry.attempts().contains(new Attempt(replica.upstreamAddress(), 200))) {
          return (entry.epochMillis() - sinceMillis) / 1000.0;
        }
      }
      ReplicaProcess.sleep(Duration.ofMillis(100));
    }
    violations.add(
        replica.name()
            + " got no traffic within "
            + REJOIN_TIMEOUT.toSeconds()
            + " s of being ready");
    return -1;
  }

  /** Attempts at {@code replica} in requests that finished in [from, to), counted by status. */
  static Map<Integer, Long> attemptsAt(
      List<Entry> log, ReplicaProcess replica, long fromMillis, long toMillis) {
    Map<Integer, Long> byStatus = new TreeMap<>();
    for (Entry entry : log) {
      if (entry.epochMillis() < fromMillis || entry.epochMillis() >= toMillis) {
        continue;
      }
      for (Attempt attempt : entry.attempts()) {
        if (attempt.address().equals(replica.upstreamAddress())) {
          byStatus.merge(attempt.status(), 1L, Long::sum);
        }
      }
    }
    return byStatus;
  }

  /** Requests nginx sent to more than one replica. */
  static long retried(List<Entry> log) {
    return log.stream().filter(e -> e.attempts().size() > 1).count();
  }

  /** Upstream attempts that did not get a 200, by status ("502" = connection refused or reset). */
  static Map<Integer, Long> refusedAttempts(List<Entry> log) {
    return log.stream()
        .flatMap(e -> e.attempts().stream())
        .filter(a -> a.status() != 200)
        .collect(Collectors.groupingBy(Attempt::status, TreeMap::new, Collectors.counting()));
  }

  static String mib(Map<String, Long> kib) {
    return kib.entrySet().stream()
        .map(e -> e.getKey() + " " + e.getValue() / 1024)
        .collect(Collectors.joining(", "));
  }

  static double seconds(Duration duration) {
    return duration.toMillis() / 1000.0;
  }

  @Override
  public void close() {
    driver.close();
  }
}
