package dev.nersuite.e2e;

import dev.nersuite.ha.LoadDriver;
import dev.nersuite.ha.LoadDriver.Outcome;
import dev.nersuite.ha.LoadResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A load stream through the Ingress with a fault in the middle: steady load, the fault, load until
 * it settled, a tail. Afterwards it matches every failed request with Traefik's access log (which
 * pod it went to, what the pod answered, how often Traefik retried) and with the pod states polled
 * meanwhile, so each failure is reported with its reason. Not thread-safe.
 */
final class FaultRun {
  /** What the scenario does while the stream runs; returns its own figures in words. */
  interface Fault {
    String inject(PodWatch watch) throws Exception;
  }

  private final ClusterContext cluster;
  private final String tag;
  private LoadResult result;
  private List<IngressLog.Entry> log;
  private Map<String, String> podNames;
  private String faultFigures;
  private long startedMillis;
  private PodWatch watch;

  private FaultRun(ClusterContext cluster, String tag) {
    this.cluster = cluster;
    this.tag = tag;
  }

  /** Runs the stream at {@code rate} around {@code fault}; at most {@code maxDuration}. */
  static FaultRun run(
      ClusterContext cluster, String tag, double rate, Duration maxDuration, Fault fault)
      throws Exception {
    FaultRun run = new FaultRun(cluster, tag);
    run.startedMillis = System.currentTimeMillis();
    run.watch = PodWatch.start(cluster);
    LoadDriver.Run stream = cluster.driver().start(ClusterContext.plan(tag, rate, maxDuration));
    try {
      ClusterContext.sleep(ClusterContext.STEADY);
      run.faultFigures = fault.inject(run.watch);
      ClusterContext.sleep(ClusterContext.TAIL);
    } finally {
      stream.stop();
      run.result = stream.await();
      run.watch.close();
    }
    ClusterContext.sleep(Duration.ofSeconds(2)); // Traefik writes its access log asynchronously
    run.log = IngressLog.ofStream(cluster.ingressLog(run.startedMillis), tag);
    run.podNames = run.watch.namesByIp();
    return run;
  }

  LoadResult result() {
    return result;
  }

  List<IngressLog.Entry> log() {
    return log;
  }

  PodWatch watch() {
    return watch;
  }

  String faultFigures() {
    return faultFigures;
  }

  /** Traefik's record of one request of the stream, or null. */
  IngressLog.Entry entryOf(Outcome outcome) {
    String wanted = tag + "-" + outcome.sequence();
    return log.stream().filter(e -> e.tag().equals(wanted)).findFirst().orElse(null);
  }

  /** Every request that was not answered correctly, with what the Ingress log says of it. */
  List<String> failureReasons() {
    Map<String, IngressLog.Entry> byTag = new HashMap<>();
    for (IngressLog.Entry entry : log) {
      byTag.put(entry.tag(), entry);
    }
    List<String> reasons = new ArrayList<>();
    for (Outcome o : result.notCorrect()) {
      IngressLog.Entry entry = byTag.get(tag + "-" + o.sequence());
      String where =
          entry == null
              ? "not in Traefik's log (never reached it)"
              : String.format(
                  Locale.ROOT,
                  "Traefik sent it to %s (%s), which answered %s; %d retries; client got %d",
                  entry.serviceAddr(),
                  podNames.getOrDefault(host(entry.serviceAddr()), "?"),
                  entry.podStatus() == 0 ? "nothing" : Integer.toString(entry.podStatus()),
                  entry.retryAttempts(),
                  entry.downstreamStatus());
      reasons.add(
          String.format(
              Locale.ROOT,
              "#%d %s %d %s (%s): %s",
              o.sequence(),
              o.verdict(),
              o.status(),
              o.code(),
              o.detail(),
              where));
    }
    return reasons;
  }

  /**
   * Requests a pod answered 200 while the API server did not list it Ready (a poll's interval of
   * slack on either side is not counted): readiness must keep traffic off such pods.
   */
  List<String> servedWhileNotReady() {
    List<String> found = new ArrayList<>();
    for (IngressLog.Entry entry : log) {
      if (entry.podStatus() != 200) {
        continue;
      }
      long at = entry.start().toEpochMilli();
      for (long[] window : watch.notReadyWindows(host(entry.serviceAddr()))) {
        if (at >= window[0] + 1000 && at < window[1] - 1000) {
          found.add(entry.tag() + " answered 200 by " + entry.serviceAddr() + " while not Ready");
        }
      }
    }
    return found;
  }

  /** "R req/s through Traefik; (Traefik's figures); failures: (each with its reason)". */
  String notes(double rate) {
    List<String> reasons = failureReasons();
    return String.format(
        Locale.ROOT,
        "%.0f req/s through Traefik; %s; failures: %s",
        rate,
        ingressFigures(),
        reasons.isEmpty() ? "none" : String.join(" | ", reasons));
  }

  /** The stream's Traefik figures in words. */
  String ingressFigures() {
    return String.format(
        Locale.ROOT,
        "Traefik logged %d of %d requests; %d retried; pod answers other than 200: %s; client statuses %s",
        log.size(),
        result.requests(),
        IngressLog.retried(log),
        IngressLog.notOkFromPods(log),
        result.statusCodes());
  }

  static String host(String address) {
    int colon = address.lastIndexOf(':');
    return colon < 0 ? address : address.substring(0, colon);
  }
}
