package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** k8s/ is exactly the chart's default render: the two cannot drift apart. */
class PlainManifestsTest {

  @Test
  void k8sDirectoryEqualsTheDefaultRender() throws IOException {
    Map<String, String> expected = PlainManifests.render(RepositoryPaths.chart());
    Map<String, String> actual = new TreeMap<>();
    Path directory = RepositoryPaths.plainManifests();
    if (Files.isDirectory(directory)) {
      try (Stream<Path> files = Files.list(directory)) {
        for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".yaml")).toList()) {
          actual.put(file.getFileName().toString(), Files.readString(file));
        }
      }
    }

    String advice = "k8s/ drifted from the chart; run `" + PlainManifests.REGENERATE_COMMAND + "`";
    assertThat(actual.keySet()).as(advice).containsExactlyElementsOf(expected.keySet());
    for (Map.Entry<String, String> file : expected.entrySet()) {
      String content = actual.get(file.getKey());
      if (!file.getValue().equals(content)) {
        fail(advice + "\nk8s/" + file.getKey() + ": " + firstDifference(file.getValue(), content));
      }
    }
  }

  @Test
  void plainManifestsAreValidAndCompliantOnTheirOwn() throws IOException {
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(RepositoryPaths.plainManifests())) {
      for (Path file :
          files.filter(f -> f.getFileName().toString().endsWith(".yaml")).sorted().toList()) {
        all.append(Files.readString(file)).append('\n');
      }
    }
    List<KubeObject> objects = ChartRenderer.parse(all.toString());

    assertThat(objects).extracting(KubeObject::kind).contains("Deployment", "Service", "Ingress");
    assertThat(objects.stream().map(KubernetesSchemaValidator::validate).flatMap(Optional::stream))
        .isEmpty();
    assertThat(ManifestPolicy.check(objects)).isEmpty();
    // No namespace is written: `kubectl apply -n <namespace> -f k8s/` puts them anywhere.
    assertThat(objects).noneMatch(o -> o.body().getAsJsonObject("metadata").has("namespace"));
  }

  @Test
  void fileNamesComeFromTemplatePaths() {
    assertThat(PlainManifests.fileName("ner-suite/templates/api/deployment.yaml"))
        .isEqualTo("api-deployment.yaml");
    assertThat(PlainManifests.fileName("ner-suite/templates/ingress.yaml"))
        .isEqualTo("ingress.yaml");
  }

  private static String firstDifference(String expected, String actual) {
    if (actual == null) {
      return "missing";
    }
    String[] want = expected.split("\n", -1);
    String[] have = actual.split("\n", -1);
    for (int i = 0; i < Math.max(want.length, have.length); i++) {
      String w = i < want.length ? want[i] : "<end of file>";
      String h = i < have.length ? have[i] : "<end of file>";
      if (!w.equals(h)) {
        return "line " + (i + 1) + ": expected [" + w + "] but found [" + h + "]";
      }
    }
    return "differs";
  }
}
