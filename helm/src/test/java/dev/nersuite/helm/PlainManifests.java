package dev.nersuite.helm;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The plain manifests of k8s/: the chart rendered with its default values (release {@value
 * ChartRenderer#RELEASE}, Kubernetes {@value ChartRenderer#KUBE_VERSION}), one file per template,
 * without Helm hooks (helm-java's render leaves them out) and without Helm's {@code # Source:}
 * comments. Stateless and thread-safe.
 */
final class PlainManifests {

  /** How to regenerate k8s/, from the repository root. */
  static final String REGENERATE_COMMAND = "mvn -B -pl helm -Pk8s-manifests process-test-classes";

  static final String HEADER =
      """
      # Generated from the Helm chart in helm/ with its default values (release "%s", Kubernetes %s).
      # Do not edit: change the chart, then run `%s`.
      """
          .formatted(ChartRenderer.RELEASE, ChartRenderer.KUBE_VERSION, REGENERATE_COMMAND);

  private static final Pattern TEMPLATE = Pattern.compile("^[^/]+/templates/(.+)\\.yaml$");
  private static final Pattern DOCUMENT =
      Pattern.compile("^---\\s*\\n# Source: ([^\\n]+)\\n", Pattern.MULTILINE);

  private PlainManifests() {}

  /** File name -> content, for the chart at {@code chart}. */
  static Map<String, String> render(Path chart) {
    String yaml = new ChartRenderer(chart).renderYaml(Scenario.DEFAULTS);
    Map<String, StringBuilder> files = new TreeMap<>();
    Matcher document = DOCUMENT.matcher(yaml);
    List<Integer> starts = new ArrayList<>();
    List<String> sources = new ArrayList<>();
    while (document.find()) {
      starts.add(document.start());
      sources.add(document.group(1).trim());
    }
    for (int i = 0; i < starts.size(); i++) {
      int end = i + 1 < starts.size() ? starts.get(i + 1) : yaml.length();
      String body = DOCUMENT.matcher(yaml.substring(starts.get(i), end)).replaceFirst("");
      files
          .computeIfAbsent(fileName(sources.get(i)), name -> new StringBuilder(HEADER))
          .append("---\n")
          .append(body.strip())
          .append('\n');
    }
    Map<String, String> result = new TreeMap<>();
    files.forEach((name, content) -> result.put(name, content.toString()));
    return result;
  }

  /** {@code ner-suite/templates/api/deployment.yaml} -> {@code api-deployment.yaml}. */
  static String fileName(String source) {
    Matcher matcher = TEMPLATE.matcher(source);
    if (!matcher.matches()) {
      throw new IllegalStateException("Unexpected template path " + source);
    }
    return matcher.group(1).replace('/', '-') + ".yaml";
  }
}
