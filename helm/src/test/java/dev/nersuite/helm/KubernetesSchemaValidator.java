package dev.nersuite.helm;

import com.google.gson.JsonElement;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Ingress;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V2HorizontalPodAutoscaler;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Validates rendered objects against the Kubernetes 1.32 API models of {@code
 * io.kubernetes:client-java-api} (unknown fields at any depth, missing required fields, API
 * versions the chart must not use). Stateless and thread-safe.
 *
 * <p>The old API versions the chart picks for clusters before 1.23/1.21 are gone from 1.32; their
 * schemas are field-for-field those of their successors ({@code autoscaling/v2beta2} = {@code
 * autoscaling/v2}, {@code policy/v1beta1} = {@code policy/v1} minus {@code
 * unhealthyPodEvictionPolicy}, which the chart never sets), so they are checked with the
 * successor's model. Custom resources (ServiceMonitor, PrometheusRule, KEDA's ScaledObject) have no
 * model here; the chart's own tests check them (ScenarioBehaviourTest, AlertRulesTest).
 */
final class KubernetesSchemaValidator {

  @FunctionalInterface
  private interface Model {
    void validate(JsonElement json) throws IOException;
  }

  private static final Map<String, Model> MODELS =
      Map.ofEntries(
          Map.entry("apps/v1/Deployment", V1Deployment::validateJsonElement),
          Map.entry("v1/Service", V1Service::validateJsonElement),
          Map.entry("v1/ServiceAccount", V1ServiceAccount::validateJsonElement),
          Map.entry("v1/ConfigMap", V1ConfigMap::validateJsonElement),
          Map.entry("v1/Secret", V1Secret::validateJsonElement),
          Map.entry("v1/Pod", V1Pod::validateJsonElement),
          Map.entry("networking.k8s.io/v1/Ingress", V1Ingress::validateJsonElement),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", V1NetworkPolicy::validateJsonElement),
          Map.entry(
              "autoscaling/v2/HorizontalPodAutoscaler",
              V2HorizontalPodAutoscaler::validateJsonElement),
          Map.entry(
              "autoscaling/v2beta2/HorizontalPodAutoscaler",
              V2HorizontalPodAutoscaler::validateJsonElement),
          Map.entry("policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement),
          Map.entry(
              "policy/v1beta1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement));

  /** Kinds of custom resources: no 1.32 model, checked by the chart's own tests instead. */
  static final List<String> CUSTOM_RESOURCES =
      List.of(
          "monitoring.coreos.com/v1/ServiceMonitor",
          "monitoring.coreos.com/v1/PrometheusRule",
          "keda.sh/v1alpha1/ScaledObject",
          "traefik.io/v1alpha1/Middleware");

  private KubernetesSchemaValidator() {}

  /**
   * The validation error of one object, empty when it is valid. An apiVersion/kind with no model
   * and not a known custom resource is an error too.
   */
  static Optional<String> validate(KubeObject object) {
    String type = object.apiVersion() + "/" + object.kind();
    if (CUSTOM_RESOURCES.contains(type)) {
      return Optional.empty();
    }
    Model model = MODELS.get(type);
    if (model == null) {
      return Optional.of(object.id() + ": no Kubernetes 1.32 model for " + type);
    }
    try {
      model.validate(object.body());
      return Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.of(object.id() + " (" + object.source() + "): " + e.getMessage());
    }
  }
}
