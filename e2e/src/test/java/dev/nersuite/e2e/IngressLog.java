package dev.nersuite.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Traefik's JSON access log (e2e/cluster/addons/traefik.yaml turns it on): which pod answered each
 * request, what it answered, and how often Traefik retried it, which the clients cannot see. The
 * counterpart of ha/'s nginx {@code AccessLog}. Stateless and thread-safe.
 */
final class IngressLog {
  private IngressLog() {}

  /**
   * One request as Traefik logged it.
   *
   * @param tag the load driver's {@code X-HA-Request} header ("" for other requests)
   * @param downstreamStatus what the client got
   * @param originStatus what the pod answered (0: no answer)
   * @param serviceName the Service Traefik routed it to (e.g. {@code
   *     ner-ner-ner-suite-api-http@kubernetes})
   * @param serviceAddr the pod Traefik sent it to ("ip:port"; the last one when it retried)
   * @param retryAttempts how often Traefik retried it
   */
  record Entry(
      String tag,
      String method,
      String path,
      int downstreamStatus,
      int originStatus,
      String serviceName,
      String serviceAddr,
      int retryAttempts,
      Instant start) {
    /**
     * What the pod answered: Traefik's origin status, or, when Traefik left it at 0 although it
     * chose a pod (its buffering middleware hides the origin's status from the access log), the
     * status the client got; 0 when no pod answered.
     */
    int podStatus() {
      if (originStatus != 0) {
        return originStatus;
      }
      return serviceAddr.isEmpty() || downstreamStatus == 502 ? 0 : downstreamStatus;
    }
  }

  /** Every access-log line Traefik wrote since {@code sinceMillis}. */
  static List<Entry> read(Kube kube, long sinceMillis) {
    Kube.Result result =
        kube.tryKubectl(
            Duration.ofMinutes(2),
            "-n",
            "ingress-traefik",
            "logs",
            "deployment/traefik",
            "--since-time=" + Instant.ofEpochMilli(sinceMillis - 5000));
    if (!result.ok()) {
      throw new IllegalStateException("kubectl logs of Traefik failed: " + result.err());
    }
    return parse(result.out());
  }

  static List<Entry> parse(String log) {
    List<Entry> entries = new ArrayList<>();
    for (String line : log.lines().toList()) {
      if (!line.startsWith("{") || !line.contains("\"DownstreamStatus\"")) {
        continue; // Traefik's own log lines
      }
      try {
        JsonNode json = Kube.JSON.readTree(line);
        entries.add(
            new Entry(
                json.path("request_X-Ha-Request").asText(""),
                json.path("RequestMethod").asText(""),
                json.path("RequestPath").asText(""),
                json.path("DownstreamStatus").asInt(),
                json.path("OriginStatus").asInt(),
                json.path("ServiceName").asText(""),
                json.path("ServiceAddr").asText(""),
                json.path("RetryAttempts").asInt(),
                Instant.parse(json.path("StartUTC").asText(Instant.EPOCH.toString()))));
      } catch (IOException | RuntimeException e) {
        // a line cut by the log rotation: not an access-log entry we can read
      }
    }
    return entries;
  }

  /** Entries of one load stream (its tag prefix). */
  static List<Entry> ofStream(List<Entry> log, String tagPrefix) {
    return log.stream().filter(e -> e.tag().startsWith(tagPrefix + "-")).toList();
  }

  /** What the pods answered when it was not a 200, by status (0 = no answer: refused, reset). */
  static Map<Integer, Long> notOkFromPods(List<Entry> log) {
    return log.stream()
        .filter(e -> e.podStatus() != 200)
        .collect(Collectors.groupingBy(Entry::podStatus, TreeMap::new, Collectors.counting()));
  }

  static long retried(List<Entry> log) {
    return log.stream().filter(e -> e.retryAttempts() > 0).count();
  }
}
