package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Values the chart must refuse with a message naming the problem: unknown keys (typos) and wrong
 * types through values.schema.json, inconsistent combinations through the templates' {@code fail}.
 */
class RenderFailureTest {

  private final ChartRenderer renderer = new ChartRenderer();

  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        // unknown keys, at the top and deep down
        "replicas                              | 3               | replicas",
        "api.replica                           | 3               | replica",
        "api.image.tagg                        | 1.0             | tagg",
        "ingress.tls.secret                    | x               | secret",
        "api.autoscaling.targetMemory          | 80              | targetMemory",
        // wrong types and values
        "api.replicaCount                      | many            | replicaCount",
        "api.model.source                      | s3              | source",
        "api.limits.maxBodySize                | 2 MB            | maxBodySize",
        "api.autoscaling.targetCPUUtilizationPercentage | 150    | targetCPUUtilizationPercentage",
        "api.image.pullPolicy                  | Sometimes       | pullPolicy",
        "api.podDisruptionBudget.maxUnavailable| half            | maxUnavailable",
        "api.resources.limits.cpu              | lots            | cpu",
        "api.tracing.protocol                  | udp             | protocol",
        "api.tracing.samplerRatio              | 2               | samplerRatio",
        "api.logging.json                      | yes             | json",
        "metrics.prometheusRule.errorRatio     | 2               | errorRatio",
        "metrics.prometheusRule.latencySloSeconds | 0            | latencySloSeconds",
        "api.autoscaling.inFlight.targetAverage | 0              | targetAverage",
        // combinations the templates refuse
        "ingress.tls.enabled                   | true            | ingress.tls.enabled needs ingress.host",
        "api.model.source                      | volume          | needs api.model.volume",
        "api.model.source                      | image           | needs api.model.image.repository",
        "api.autoscaling.minReplicas           | 20              | is above api.autoscaling.maxReplicas",
        "api.auth.enabled                      | true            | needs api.auth.existingSecret",
        "api.dictionary.reloadIntervalSeconds  | 0               | reloadIntervalSeconds",
        "api.models.extra[0].name              | Bad_Name        | name",
        "api.models.extra[0].volume.emptyDir.medium | Memory     | extra",
      })
  void refuses(String key, String value, String expectedInMessage) {
    Map<String, Object> sets = new java.util.HashMap<>(Map.of(key, value));
    if (key.startsWith("api.models.extra[0].volume")) {
      sets.put("api.models.extra[0].name", "a"); // a valid name: only the volume is wrong, below
      sets.put("api.models.extra[0].image.repository", "r"); // both volume and image: refused
      sets.put("api.models.extra[0].image.tag", "1");
    }
    assertThatThrownBy(() -> renderer.renderYaml(Scenario.DEFAULTS, sets))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(expectedInMessage);
  }

  @Test
  void twoExtraModelsWithOneNameAreRefused() {
    Map<String, Object> sets =
        Map.of(
            "api.models.extra[0].name", "same",
            "api.models.extra[0].volume.emptyDir.sizeLimit", "1Gi",
            "api.models.extra[1].name", "same",
            "api.models.extra[1].volume.emptyDir.sizeLimit", "1Gi");
    assertThatThrownBy(() -> renderer.renderYaml(Scenario.DEFAULTS, sets))
        .hasMessageContaining("api.models.extra names \"same\" twice");
  }

  @Test
  void kedaRefusesAnInvertedReplicaRangeToo() {
    assertThatThrownBy(
            () -> renderer.renderYaml(Scenario.KEDA, Map.of("api.autoscaling.minReplicas", "20")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is above api.autoscaling.maxReplicas");
  }
}
