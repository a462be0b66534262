package dev.nersuite.e2e;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where the running cluster is and the knobs of a run, read once from system properties that {@code
 * e2e/run.sh} passes (see e2e/README.md). Immutable and thread-safe.
 *
 * @param kubeconfig the cluster's admin kubeconfig
 * @param kubectl the kubectl binary of the cluster's own version
 * @param ingress where the Ingress controller listens (node 1's address)
 * @param podNetwork whether this host routes to pod addresses (reference results straight from a
 *     pod, as ha/ asks one replica)
 * @param stateDir the cluster's state folder: each node's containerd socket is under it
 * @param namespace where the release goes
 * @param release the Helm release name
 * @param chart the chart directory
 * @param values the single-node values file
 * @param imageTag tag of the ner-api and WebUI images the tier built
 * @param nodes the node names, first = control plane and Ingress
 * @param components the versions line of the figures (Kubernetes, Traefik, ...)
 * @param reportDir where the figures table is written
 * @param rate load of the scenarios that only need a steady stream, requests per second
 * @param autoscaleRate the autoscaling scenario's load, requests per second of long batches
 * @param autoscaleLoad how long the autoscaling load may run before giving up on a scale-up
 */
record E2eSettings(
    Path kubeconfig,
    Path kubectl,
    URI ingress,
    boolean podNetwork,
    Path stateDir,
    String namespace,
    String release,
    Path chart,
    Path values,
    String imageTag,
    List<String> nodes,
    String components,
    Path reportDir,
    double rate,
    double autoscaleRate,
    Duration autoscaleLoad) {

  static E2eSettings fromSystemProperties() {
    Path root = Path.of(System.getProperty("nersuite.root", "..")).toAbsolutePath().normalize();
    Path kubeconfig = Path.of(required("e2e.kubeconfig"));
    if (!Files.isRegularFile(kubeconfig)) {
      throw new IllegalStateException(
          kubeconfig + " does not exist: is the cluster up (e2e/cluster/up.sh)?");
    }
    return new E2eSettings(
        kubeconfig,
        Path.of(required("e2e.kubectl")),
        withPort(URI.create(required("e2e.ingress"))),
        Boolean.parseBoolean(System.getProperty("e2e.podNetwork", "true")),
        Path.of(required("e2e.stateDir")),
        System.getProperty("e2e.namespace", "ner"),
        System.getProperty("e2e.release", "ner"),
        root.resolve("helm"),
        root.resolve("e2e/values-single-node.yaml"),
        required("e2e.imageTag"),
        List.of(required("e2e.nodes").split(",")),
        System.getProperty("e2e.components", ""),
        Path.of(System.getProperty("e2e.reportDir", "target")).toAbsolutePath(),
        Double.parseDouble(System.getProperty("e2e.rate", "10")),
        Double.parseDouble(System.getProperty("e2e.autoscale.rate", "1.5")),
        Duration.ofSeconds(Long.getLong("e2e.autoscale.seconds", 420)));
  }

  /** The URI with its port spelled out (ha's raw-socket client needs one). */
  static URI withPort(URI uri) {
    return uri.getPort() > 0
        ? uri
        : URI.create(
            uri.getScheme()
                + "://"
                + uri.getHost()
                + ":"
                + ("https".equals(uri.getScheme()) ? 443 : 80)
                + "/");
  }

  private static String required(String key) {
    String value = System.getProperty(key);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException(
          "system property " + key + " is not set: run the tier with e2e/run.sh");
    }
    return value;
  }

  /** The containerd socket of {@code node}. */
  Path containerdSocket(String node) {
    return stateDir.resolve("nodes").resolve(node).resolve("containerd.sock");
  }
}
