package dev.nersuite.helm;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A values scenario the chart must render for: a values file under helm/ci/ (none for the defaults)
 * and the Kubernetes version the render pretends to target.
 */
enum Scenario {
  DEFAULTS(null, ChartRenderer.KUBE_VERSION),
  FIXED_REPLICAS("fixed-replicas-values.yaml", ChartRenderer.KUBE_VERSION),
  INGRESS_TLS("ingress-tls-values.yaml", ChartRenderer.KUBE_VERSION),
  NETWORK_POLICY("network-policy-values.yaml", ChartRenderer.KUBE_VERSION),
  MODEL_VOLUME("model-volume-values.yaml", ChartRenderer.KUBE_VERSION),
  MODEL_IMAGE("model-image-values.yaml", ChartRenderer.KUBE_VERSION),
  MODELS_DICTIONARY_KEYS("models-dictionary-keys-values.yaml", ChartRenderer.KUBE_VERSION),
  /** ServiceMonitor, dashboard, alerts, tracing, and the HPA on requests in flight too. */
  OBSERVABILITY("observability-values.yaml", ChartRenderer.KUBE_VERSION),
  /** A KEDA ScaledObject instead of the HPA. */
  KEDA("keda-values.yaml", ChartRenderer.KUBE_VERSION),
  /** Traefik as the Ingress controller: the chart's Middleware instead of nginx annotations. */
  TRAEFIK("traefik-values.yaml", ChartRenderer.KUBE_VERSION),
  /** Kubernetes 1.20: no autoscaling/v2 nor policy/v1, no preStop sleep action. */
  OLD_CLUSTER("old-cluster-values.yaml", "1.20.2");

  private final String valuesFileName;
  private final String kubeVersion;

  Scenario(String valuesFileName, String kubeVersion) {
    this.valuesFileName = valuesFileName;
    this.kubeVersion = kubeVersion;
  }

  /** The scenario's values file, if it has one. */
  Optional<Path> valuesFile() {
    return Optional.ofNullable(valuesFileName)
        .map(name -> RepositoryPaths.chart().resolve("ci").resolve(name));
  }

  String kubeVersion() {
    return kubeVersion;
  }
}
