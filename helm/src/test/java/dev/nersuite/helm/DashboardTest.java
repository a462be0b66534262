package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard (helm/dashboards/ner-api.json): shipped in the ConfigMap, every query valid
 * PromQL for promtool, and every series it names one the service really exposes (or
 * kube-state-metrics and the kubelet do), so a renamed metric breaks this test, not the dashboard.
 */
class DashboardTest {
  static final Path DASHBOARD = RepositoryPaths.chart().resolve("dashboards/ner-api.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LABEL_VALUES =
      Pattern.compile("^label_values\\((.*),\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\)$");

  /** Grafana's variables as a Prometheus query would see them for the default release. */
  private static final Map<String, String> VARIABLES =
      Map.of(
          "$__rate_interval",
          "5m",
          "$namespace",
          ChartRenderer.NAMESPACE,
          "$job",
          ChartRenderer.RELEASE + "-api");

  private static JsonNode dashboard() throws IOException {
    return JSON.readTree(DASHBOARD.toFile());
  }

  /** Every panel query, variables substituted, with its panel's title. */
  static List<Map.Entry<String, String>> queries(JsonNode dashboard) {
    List<Map.Entry<String, String>> queries = new ArrayList<>();
    for (JsonNode panel : dashboard.get("panels")) {
      for (JsonNode target : panel.get("targets")) {
        queries.add(
            Map.entry(panel.get("title").asText(), substitute(target.get("expr").asText())));
      }
    }
    return queries;
  }

  private static String substitute(String query) {
    String result = query;
    for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
      result = result.replace(variable.getKey(), variable.getValue());
    }
    return result;
  }

  @Test
  void theConfigMapCarriesTheDashboardWithTheSidecarLabel() throws IOException {
    KubeObject configMap =
        new RenderedRelease(new ChartRenderer().render(Scenario.OBSERVABILITY))
            .get("ConfigMap", "ner-suite-api-dashboard");

    assertThat(configMap.labels()).containsEntry("grafana_dashboard", "1");
    assertThat(configMap.annotations()).containsEntry("grafana_folder", "NER");
    String shipped = configMap.body().getAsJsonObject("data").get("ner-api.json").getAsString();
    assertThat(JSON.readTree(shipped)).isEqualTo(dashboard());
  }

  @Test
  void thePanelsShowWhatAnOperatorAsksFor() throws IOException {
    List<String> titles = new ArrayList<>();
    dashboard().get("panels").forEach(panel -> titles.add(panel.get("title").asText()));

    assertThat(String.join("\n", titles).toLowerCase())
        .contains(
            "request rate by outcome",
            "p50 / p99",
            "503",
            "queue depth",
            "queue wait",
            "batch size",
            "inference time per model",
            "entities",
            "ready replicas",
            "cpu per pod",
            "memory per pod");
    for (JsonNode panel : dashboard().get("panels")) {
      assertThat(panel.get("datasource").get("uid").asText())
          .as(panel.get("title").asText())
          .isEqualTo("${datasource}");
      assertThat(panel.get("targets")).as(panel.get("title").asText()).isNotEmpty();
    }
  }

  @Test
  void everyQueryIsPromQlThatPromtoolAccepts(@TempDir Path directory) throws Exception {
    ObjectNode group = JSON.createObjectNode().put("name", "dashboard");
    ArrayNode rules = group.putArray("rules");
    List<Map.Entry<String, String>> queries = queries(dashboard());
    for (int i = 0; i < queries.size(); i++) {
      rules
          .addObject()
          .put("record", "dashboard:query_" + i)
          .put("expr", queries.get(i).getValue());
    }
    Path file = directory.resolve("dashboard-queries.yaml");
    Files.writeString(
        file,
        new YAMLMapper()
            .writeValueAsString(
                JSON.createObjectNode().set("groups", JSON.createArrayNode().add(group))));

    Promtool.Result result = Promtool.checkRules(file);

    assertThat(result.passed()).as(result.output()).isTrue();
    assertThat(result.output()).contains("SUCCESS: " + queries.size() + " rules found");
  }

  @Test
  void everyQueryNamesSeriesThatReallyExist() throws IOException {
    Map<String, Set<String>> exposition = LiveExposition.series();
    List<String> problems = new ArrayList<>();
    for (Map.Entry<String, String> query : queries(dashboard())) {
      PromQlReferences.problems(query.getValue(), exposition)
          .forEach(problem -> problems.add(query.getKey() + ": " + problem));
    }

    assertThat(problems).isEmpty();
  }

  @Test
  void theVariablesListValuesOfALabelTheSeriesHave() throws IOException {
    Map<String, Set<String>> exposition = LiveExposition.series();
    List<String> variables = new ArrayList<>();
    for (JsonNode variable : dashboard().get("templating").get("list")) {
      if (!variable.get("type").asText().equals("query")) {
        continue;
      }
      String query = substitute(variable.get("query").get("query").asText());
      Matcher labelValues = LABEL_VALUES.matcher(query);
      assertThat(labelValues.matches()).as(query).isTrue();
      String selector = labelValues.group(1);
      String label = labelValues.group(2);
      assertThat(PromQlReferences.problems(selector, exposition)).as(query).isEmpty();
      assertThat(
              PromQlReferences.problems("count by (" + label + ") (" + selector + ")", exposition))
          .as(query)
          .isEmpty();
      variables.add(variable.get("name").asText());
    }
    assertThat(variables).containsExactly("namespace", "job");
  }

  @Test
  void theCheckWouldCatchAPanelNamingAMetricOrLabelWeDoNotHave() throws IOException {
    Map<String, Set<String>> exposition = LiveExposition.series();
    String refusals =
        queries(dashboard()).stream()
            .filter(query -> query.getKey().startsWith("503"))
            .findFirst()
            .orElseThrow()
            .getValue();

    assertThat(PromQlReferences.problems(refusals, exposition)).isEmpty();
    assertThat(
            PromQlReferences.problems(
                refusals.replace("ner_rejected_total", "ner_refused_total"), exposition))
        .isNotEmpty();
    assertThat(PromQlReferences.problems(refusals.replace("(reason)", "(cause)"), exposition))
        .isNotEmpty();
  }
}
