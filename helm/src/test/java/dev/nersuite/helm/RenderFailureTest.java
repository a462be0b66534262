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
      })
  void refuses(String key, String value, String expectedInMessage) {
    assertThatThrownBy(() -> renderer.renderYaml(Scenario.DEFAULTS, Map.of(key, value)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(expectedInMessage);
  }

  @Test
  void kedaRefusesAnInvertedReplicaRangeToo() {
    assertThatThrownBy(
            () -> renderer.renderYaml(Scenario.KEDA, Map.of("api.autoscaling.minReplicas", "20")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is above api.autoscaling.maxReplicas");
  }
}
