package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's alerts as Prometheus runs them: the rendered PrometheusRule passes {@code promtool
 * check rules}, its unit tests ({@code src/test/promtool/ner-api-alerts-test.yaml}) pass {@code
 * promtool test rules}, and every series the alerts and their tests name is one the service really
 * exposes (or kube-state-metrics does).
 */
class AlertRulesTest {
  static final Path UNIT_TESTS =
      RepositoryPaths.chart().resolve("src/test/promtool/ner-api-alerts-test.yaml");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final Pattern LABEL_TEMPLATE =
      Pattern.compile("\\{\\{\\s*\\$labels\\.([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");

  private final ChartRenderer renderer = new ChartRenderer();

  /**
   * The rendered PrometheusRule's groups: the default values, the rule enabled, plus {@code
   * ruleValues} (YAML under {@code metrics.prometheusRule}; a values file, since {@code --set}
   * passes decimals as strings).
   */
  private JsonNode groups(String ruleValues) throws IOException {
    Path values = Files.createTempFile("prometheus-rule", ".yaml");
    try {
      Files.writeString(
          values, "metrics:\n  prometheusRule:\n    enabled: true\n" + ruleValues.indent(4));
      KubeObject rule =
          new RenderedRelease(
                  ChartRenderer.parse(
                      renderer.renderYaml(ChartRenderer.KUBE_VERSION, values, Map.of())))
              .get("PrometheusRule", "ner-suite-api");
      return JSON.readTree(rule.spec().toString()).get("groups");
    } finally {
      Files.deleteIfExists(values);
    }
  }

  private static List<JsonNode> rules(JsonNode groups) {
    List<JsonNode> rules = new ArrayList<>();
    groups.forEach(group -> group.get("rules").forEach(rules::add));
    return rules;
  }

  /**
   * Writes {@code rules.yaml} and the unit tests into {@code directory}; each expected alert gets
   * the rendered rule's annotations (with {@code $labels} filled from its expected labels), so the
   * tests state only when alerts fire and with which labels.
   */
  static Path writeRulesAndTests(JsonNode groups, Path directory) throws IOException {
    Files.writeString(
        directory.resolve("rules.yaml"),
        YAML.writeValueAsString(JSON.createObjectNode().set("groups", groups)));
    Map<String, JsonNode> annotations = new HashMap<>();
    rules(groups)
        .forEach(rule -> annotations.put(rule.get("alert").asText(), rule.get("annotations")));
    JsonNode tests = YAML.readTree(UNIT_TESTS.toFile());
    for (JsonNode test : tests.get("tests")) {
      for (JsonNode check : test.get("alert_rule_test")) {
        JsonNode expected = annotations.get(check.get("alertname").asText());
        assertThat(expected).as("alert %s", check.get("alertname")).isNotNull();
        for (JsonNode alert : check.get("exp_alerts")) {
          ObjectNode filled = JSON.createObjectNode();
          expected
              .fields()
              .forEachRemaining(
                  field -> filled.put(field.getKey(), fill(field.getValue().asText(), alert)));
          ((ObjectNode) alert).set("exp_annotations", filled);
        }
      }
    }
    Path file = directory.resolve(UNIT_TESTS.getFileName().toString());
    YAML.writeValue(file.toFile(), tests);
    return file;
  }

  private static String fill(String template, JsonNode alert) {
    Matcher label = LABEL_TEMPLATE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (label.find()) {
      JsonNode value = alert.get("exp_labels").get(label.group(1));
      label.appendReplacement(out, Matcher.quoteReplacement(value == null ? "" : value.asText()));
    }
    label.appendTail(out);
    return out.toString();
  }

  @Test
  void theRulesPassPromtoolCheckRules(@TempDir Path directory) throws Exception {
    writeRulesAndTests(groups(""), directory);

    Promtool.Result result = Promtool.checkRules(directory.resolve("rules.yaml"));

    assertThat(result.passed()).as(result.output()).isTrue();
    assertThat(result.output()).contains("SUCCESS: 5 rules found");
  }

  @Test
  void theAlertsFireWhenTheirUnitTestsSay(@TempDir Path directory) throws Exception {
    Path tests = writeRulesAndTests(groups(""), directory);

    Promtool.Result result = Promtool.testRules(tests);

    assertThat(result.passed()).as(result.output()).isTrue();
    assertThat(result.output()).contains("SUCCESS");
  }

  @Test
  void theUnitTestsFailWhenTheThresholdsChange(@TempDir Path directory) throws Exception {
    Path tests =
        writeRulesAndTests(
            groups("errorRatio: 0.5\nsheddingRatio: 0.9\nlatencySloSeconds: 5\n"), directory);

    Promtool.Result result = Promtool.testRules(tests);

    assertThat(result.passed()).isFalse();
    assertThat(result.output())
        .contains("NerApiErrorsHigh", "NerApiSheddingHigh", "NerApiLatencyHigh");
  }

  @Test
  void everyAlertNamesSeriesTheServiceOrKubeStateMetricsExposes() throws Exception {
    Map<String, java.util.Set<String>> exposition = LiveExposition.series();

    for (JsonNode rule : rules(groups(""))) {
      assertThat(PromQlReferences.problems(rule.get("expr").asText(), exposition))
          .as(rule.get("alert").asText())
          .isEmpty();
    }
  }

  @Test
  void theUnitTestsFeedSeriesThatReallyExist() throws Exception {
    Map<String, java.util.Set<String>> exposition = LiveExposition.series();
    List<String> problems = new ArrayList<>();
    for (JsonNode test : YAML.readTree(UNIT_TESTS.toFile()).get("tests")) {
      for (JsonNode input : test.get("input_series")) {
        problems.addAll(PromQlReferences.problems(input.get("series").asText(), exposition));
      }
    }

    assertThat(problems).isEmpty();
  }

  @Test
  void everyAlertHasASeverityAndSaysWhatToDo() throws Exception {
    List<JsonNode> rules = rules(groups("alertLabels:\n  team: nlp\n"));

    assertThat(rules)
        .extracting(rule -> rule.get("alert").asText())
        .containsExactly(
            "NerApiErrorsHigh",
            "NerApiSheddingHigh",
            "NerApiLatencyHigh",
            "NerApiReplicasNotReady",
            "NerApiPodsRestarting");
    for (JsonNode rule : rules) {
      assertThat(rule.get("labels").get("severity").asText()).isIn("warning", "critical");
      assertThat(rule.get("labels").get("team").asText()).isEqualTo("nlp");
      assertThat(rule.get("annotations").get("summary").asText()).isNotBlank();
      assertThat(rule.get("annotations").get("description").asText()).contains("Action:");
    }
  }

  @Test
  void theLatencyObjectiveComesFromTheValues() throws Exception {
    JsonNode latency =
        rules(groups("latencySloSeconds: 0.25\n")).stream()
            .filter(rule -> rule.get("alert").asText().equals("NerApiLatencyHigh"))
            .findFirst()
            .orElseThrow();

    assertThat(latency.get("expr").asText()).endsWith("> 0.25");
  }
}
