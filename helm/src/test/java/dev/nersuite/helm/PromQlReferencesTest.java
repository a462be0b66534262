package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reference check on small, made-up expositions: it finds what exists and flags what not. */
class PromQlReferencesTest {
  private static final Map<String, Set<String>> EXPOSITION =
      Map.of(
          "ner_rejected_total", Set.of("reason"),
          "ner_queue_wait_seconds_bucket", Set.of("le"),
          "http_server_requests_seconds_count", Set.of("uri", "status", "outcome", "method"));

  @Test
  void readsSelectorsMatchersAndGrouping() {
    PromQlReferences.References references =
        PromQlReferences.of(
            "histogram_quantile(0.99, sum by (le, model) (rate(ner_queue_wait_seconds_bucket{"
                + "namespace=\"a{b}\",job=~\"x\"}[5m]))) / on (pod) group_left up > 1e-3");

    assertThat(references.selectors())
        .extracting(PromQlReferences.Selector::metric)
        .containsExactly("ner_queue_wait_seconds_bucket", "up");
    assertThat(references.selectors().get(0).labels()).containsExactly("namespace", "job");
    assertThat(references.grouping()).containsExactly("le", "model", "pod");
  }

  @Test
  void acceptsRealSeriesTargetLabelsAndExternalSeries() {
    assertThat(
            PromQlReferences.problems(
                "sum by (reason, pod) (rate(ner_rejected_total{namespace=\"n\",reason=~\"a|b\"}[5m]))"
                    + " / sum(kube_deployment_spec_replicas{deployment=\"d\"})",
                EXPOSITION))
        .isEmpty();
  }

  @Test
  void flagsAnUnknownMetricALabelItLacksAndAGroupingOnNothing() {
    assertThat(PromQlReferences.problems("rate(ner_rejections_total[5m])", EXPOSITION))
        .singleElement()
        .asString()
        .contains("unknown metric ner_rejections_total");
    assertThat(PromQlReferences.problems("ner_rejected_total{cause=\"x\"}", EXPOSITION))
        .singleElement()
        .asString()
        .contains("label cause is not on ner_rejected_total");
    assertThat(
            PromQlReferences.problems(
                "sum by (type) (http_server_requests_seconds_count)", EXPOSITION))
        .singleElement()
        .asString()
        .contains("grouping label type");
    assertThat(PromQlReferences.problems("vector(1)", EXPOSITION))
        .singleElement()
        .asString()
        .contains("names no series");
  }
}
