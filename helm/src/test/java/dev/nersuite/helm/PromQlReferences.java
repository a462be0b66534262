package dev.nersuite.helm;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The series a PromQL expression names, and whether they exist: every metric name must be one the
 * service really exposes (from {@link LiveExposition}) or one of the few {@link #EXTERNAL} series
 * of kube-state-metrics and the kubelet, and every label it matches or groups by must be on that
 * series, or be a label Prometheus adds to scraped targets. The syntax itself is promtool's job
 * (PromQL is checked with {@code promtool check rules}); this reads only selectors and grouping
 * clauses. Stateless and thread-safe.
 */
final class PromQlReferences {

  /** Labels Prometheus adds to every series it scrapes through the chart's ServiceMonitor. */
  static final Set<String> TARGET_LABELS =
      Set.of("namespace", "job", "pod", "instance", "service", "endpoint", "container");

  /**
   * Series the dashboard and alerts use that other exporters provide, with their labels:
   * kube-state-metrics (replicas, restarts) and the kubelet's cAdvisor (container CPU and memory),
   * both part of kube-prometheus-stack.
   */
  static final Map<String, Set<String>> EXTERNAL =
      Map.of(
          "kube_deployment_spec_replicas", Set.of("namespace", "deployment"),
          "kube_deployment_status_replicas_available", Set.of("namespace", "deployment"),
          "kube_deployment_status_replicas_unavailable", Set.of("namespace", "deployment"),
          "kube_pod_container_status_restarts_total", Set.of("namespace", "pod", "container"),
          "container_cpu_usage_seconds_total", Set.of("namespace", "pod", "container"),
          "container_memory_working_set_bytes", Set.of("namespace", "pod", "container"));

  /**
   * Labels the service's {@code ner_*} series are getting as the server learns to hold several
   * models (each series tagged with its {@code model}): queries may already group by it, which
   * yields one empty-valued group until then.
   */
  static final Set<String> PLANNED_NER_LABELS = Set.of("model");

  private static final String NAME = "[a-zA-Z_:][a-zA-Z0-9_:]*";
  private static final Pattern SELECTOR =
      Pattern.compile("(" + NAME + ")\\s*\\{((?:[^}\"]|\"(?:[^\"\\\\]|\\\\.)*\")*)\\}");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(?:=~|!~|!=|=)\\s*\"");
  private static final Pattern STRING = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern GROUPING =
      Pattern.compile("\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
  // Possessive, so a function name is never read as a shorter metric name before its "(".
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![0-9.a-zA-Z_:])([a-zA-Z_:][a-zA-Z0-9_:]*+)(?!\\s*\\()");
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "Inf",
          "NaN");

  private PromQlReferences() {}

  /** A series an expression selects: metric name and the labels its matchers name. */
  record Selector(String metric, Set<String> labels) {}

  /** What an expression refers to. */
  record References(List<Selector> selectors, Set<String> grouping) {}

  static References of(String expression) {
    List<Selector> selectors = new ArrayList<>();
    StringBuilder rest = new StringBuilder();
    Matcher selector = SELECTOR.matcher(expression);
    while (selector.find()) {
      Set<String> labels = new LinkedHashSet<>();
      MATCHER.matcher(selector.group(2)).results().forEach(m -> labels.add(m.group(1)));
      selectors.add(new Selector(selector.group(1), labels));
      selector.appendReplacement(rest, " ");
    }
    selector.appendTail(rest);
    String remaining = RANGE.matcher(STRING.matcher(rest).replaceAll(" ")).replaceAll(" ");
    Set<String> grouping = new LinkedHashSet<>();
    Matcher clause = GROUPING.matcher(remaining);
    while (clause.find()) {
      for (String label : clause.group(1).split(",")) {
        if (!label.isBlank()) {
          grouping.add(label.strip());
        }
      }
    }
    remaining = GROUPING.matcher(remaining).replaceAll(" ");
    Matcher identifier = IDENTIFIER.matcher(remaining);
    while (identifier.find()) {
      if (!KEYWORDS.contains(identifier.group(1))) {
        selectors.add(new Selector(identifier.group(1), Set.of()));
      }
    }
    return new References(selectors, grouping);
  }

  /** What is wrong with the references of {@code expression}; empty when every one resolves. */
  static List<String> problems(String expression, Map<String, Set<String>> exposition) {
    References references = of(expression);
    List<String> problems = new ArrayList<>();
    Set<String> allLabels = new HashSet<>();
    if (references.selectors().isEmpty()) {
      problems.add("names no series: " + expression);
    }
    for (Selector selector : references.selectors()) {
      Set<String> labels = labels(selector.metric(), exposition);
      if (labels == null) {
        problems.add("unknown metric " + selector.metric() + " in: " + expression);
        continue;
      }
      allLabels.addAll(labels);
      for (String label : selector.labels()) {
        if (!labels.contains(label)) {
          problems.add("label " + label + " is not on " + selector.metric() + " in: " + expression);
        }
      }
    }
    for (String label : references.grouping()) {
      if (!allLabels.contains(label)) {
        problems.add("grouping label " + label + " is on no series of: " + expression);
      }
    }
    return problems;
  }

  /** The labels a series may be selected by, or null when no such series exists. */
  private static Set<String> labels(String metric, Map<String, Set<String>> exposition) {
    if (EXTERNAL.containsKey(metric)) {
      return EXTERNAL.get(metric);
    }
    Set<String> own = exposition.get(metric);
    if (own == null) {
      return null;
    }
    Set<String> labels = new HashSet<>(own);
    labels.addAll(TARGET_LABELS);
    if (metric.startsWith("ner_")) {
      labels.addAll(PLANNED_NER_LABELS);
    }
    labels.add("__name__");
    return labels;
  }
}
