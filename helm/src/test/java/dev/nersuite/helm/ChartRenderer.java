package dev.nersuite.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Renders the chart with helm-java (Helm's own template engine, no helm binary) and splits the
 * output into {@link KubeObject}s. Thread-safe: every call builds its own Helm command.
 */
final class ChartRenderer {

  /** Release name of every test render and of k8s/: object names become {@code ner-suite-api}. */
  static final String RELEASE = "ner-suite";

  /** Namespace of the renders. The templates never write it into objects. */
  static final String NAMESPACE = "default";

  /** The Kubernetes version the client-java-api models describe. */
  static final String KUBE_VERSION = "1.32.0";

  private static final Pattern SOURCE = Pattern.compile("^# Source: (.+)$", Pattern.MULTILINE);
  private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("^---\\s*$", Pattern.MULTILINE);
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Stands in for the {@code helm.sh/hook} annotation prefix in {@link #renderWithHooks}. */
  static final String HOOK_MARKER = "ner-suite.test/helm-hook";

  private final Path chart;

  ChartRenderer(Path chart) {
    this.chart = chart;
  }

  ChartRenderer() {
    this(RepositoryPaths.chart());
  }

  /** The rendered YAML of a scenario. Throws {@link IllegalStateException} when Helm fails. */
  String renderYaml(Scenario scenario) {
    return renderYaml(scenario, Map.of());
  }

  /** The rendered YAML of a scenario with extra {@code --set} values on top. */
  String renderYaml(Scenario scenario, Map<String, Object> sets) {
    return renderYaml(scenario.kubeVersion(), scenario.valuesFile().orElse(null), sets);
  }

  /**
   * The rendered YAML for a Kubernetes version, an optional values file and {@code --set} values.
   */
  String renderYaml(String kubeVersion, Path valuesFile, Map<String, Object> sets) {
    TemplateCommand command =
        new Helm(chart)
            .template()
            .withName(RELEASE)
            .withNamespace(NAMESPACE)
            .withKubeVersion(kubeVersion);
    if (valuesFile != null) {
      command.withValuesFile(valuesFile);
    }
    sets.forEach(command::set);
    return command.call();
  }

  /** The default values rendered for another Kubernetes version. */
  List<KubeObject> renderForKubeVersion(String kubeVersion) {
    return parse(renderYaml(kubeVersion, null, Map.of()));
  }

  /**
   * Renders a scenario including the {@code helm test} hook pods. helm-java's template returns the
   * release manifest without hooks, so this renders a temporary copy of the chart whose test
   * templates carry {@link #HOOK_MARKER} instead of the {@code helm.sh/hook} annotations.
   */
  List<KubeObject> renderWithHooks(Scenario scenario, Map<String, Object> sets) {
    Path copy = null;
    try {
      copy = Files.createTempDirectory("ner-suite-chart-");
      Path target = copy.resolve(chart.getFileName());
      copyChart(chart, target);
      try (Stream<Path> tests = Files.list(target.resolve("templates/tests"))) {
        for (Path template : tests.toList()) {
          String text = Files.readString(template);
          Files.writeString(template, text.replace("helm.sh/hook", HOOK_MARKER));
        }
      }
      return new ChartRenderer(target).render(scenario, sets);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      deleteQuietly(copy);
    }
  }

  List<KubeObject> renderWithHooks(Scenario scenario) {
    return renderWithHooks(scenario, Map.of());
  }

  /** Copies the files Helm would package (not the Maven module around the chart). */
  private static void copyChart(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path file : files.toList()) {
        Path relative = from.relativize(file);
        String first = relative.getNameCount() == 0 ? "" : relative.getName(0).toString();
        if (first.equals("src") || first.equals("target") || first.equals("pom.xml")) {
          continue;
        }
        Path destination = to.resolve(relative.toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(destination);
        } else {
          Files.copy(file, destination);
        }
      }
    }
  }

  private static void deleteQuietly(Path directory) {
    if (directory == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
    } catch (IOException ignored) {
      // a temporary directory left behind is harmless
    }
  }

  List<KubeObject> render(Scenario scenario) {
    return parse(renderYaml(scenario));
  }

  List<KubeObject> render(Scenario scenario, Map<String, Object> sets) {
    return parse(renderYaml(scenario, sets));
  }

  /** Splits multi-document YAML into objects, keeping each one's {@code # Source:} template. */
  static List<KubeObject> parse(String yaml) {
    List<KubeObject> objects = new ArrayList<>();
    for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
      Matcher source = SOURCE.matcher(document);
      String sourcePath = source.find() ? source.group(1).trim() : "";
      JsonNode node;
      try {
        node = YAML.readTree(document);
      } catch (IOException e) {
        throw new UncheckedIOException("Unparsable document from " + sourcePath, e);
      }
      if (node == null || node.isMissingNode() || node.isNull()) {
        continue; // a template that rendered nothing
      }
      JsonObject body;
      try {
        body = JsonParser.parseString(JSON.writeValueAsString(node)).getAsJsonObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      objects.add(new KubeObject(body, sourcePath));
    }
    return objects;
  }
}
