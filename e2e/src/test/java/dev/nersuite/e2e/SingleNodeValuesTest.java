package dev.nersuite.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The chart with e2e/values-single-node.yaml and the images the tier builds, rendered by real Helm:
 * everything the scenarios ask for fits on one node of the test cluster, so a drain of the other
 * can always reschedule, and nothing needs a registry. Runs in {@code mvn verify} (no cluster).
 */
class SingleNodeValuesTest {
  /** What one kubelet of the tier advertises: the host's 2 CPUs. */
  static final long NODE_MILLICORES = 2000;

  private static final Path ROOT =
      Path.of(System.getProperty("nersuite.root", "..")).toAbsolutePath().normalize();
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  @Test
  void theBusiestScenarioFitsOnOneNode() throws IOException {
    int hpaMax =
        YAML.readTree(ROOT.resolve("e2e/autoscaling-test-values.yaml").toFile())
            .path("api")
            .path("autoscaling")
            .path("maxReplicas")
            .asInt();
    assertThat(hpaMax).as("the autoscaling test's maximum").isGreaterThan(2);
    int apiPods = Math.max(hpaMax, 4); // the HPA's maximum; the drain scenario's 4 pods
    List<JsonNode> rendered = render();
    long api = cpuRequest(deployment(rendered, "api"));
    JsonNode webui = deployment(rendered, "webui");
    long webuiPods = webui.path("spec").path("replicas").asLong();
    long addOns = 0;
    try (Stream<Path> files = Files.list(ROOT.resolve("e2e/cluster/addons"))) {
      for (Path file : files.sorted().toList()) {
        for (JsonNode doc : documents(Files.readString(file))) {
          if (doc.path("kind").asText().equals("Deployment")) {
            addOns += cpuRequest(doc) * doc.path("spec").path("replicas").asLong(1);
          }
        }
      }
    }
    long total = apiPods * api + webuiPods * cpuRequest(webui) + addOns;
    assertThat(api).as("API pod CPU request (m)").isPositive();
    assertThat(total)
        .as(
            "CPU requests (m): %d API pods x %d + %d WebUI pods + add-ons %d",
            apiPods, api, webuiPods, addOns)
        .isLessThanOrEqualTo(NODE_MILLICORES);
  }

  @Test
  void everyImageIsOneTheTierBuilds() throws IOException {
    List<String> images = new ArrayList<>();
    for (JsonNode doc : render()) {
      doc.findValues("image").forEach(image -> images.add(image.asText()));
    }
    JsonNode values = YAML.readTree(ROOT.resolve("e2e/values-single-node.yaml").toFile());
    images.add(values.path("tests").path("image").path("repository").asText());
    assertThat(images).hasSizeGreaterThanOrEqualTo(3).allMatch(i -> i.startsWith("localhost/"));
  }

  private static List<JsonNode> render() throws IOException {
    TemplateCommand template =
        new Helm(ROOT.resolve("helm"))
            .template()
            .withName("ner")
            .withNamespace("ner")
            .withKubeVersion("1.35.4")
            .withValuesFile(ROOT.resolve("e2e/values-single-node.yaml"));
    HelmRelease.imageValues("test").forEach(template::set);
    return documents(template.call());
  }

  private static List<JsonNode> documents(String yaml) throws IOException {
    List<JsonNode> docs = new ArrayList<>();
    try (YAMLParser parser = (YAMLParser) YAML.getFactory().createParser(yaml)) {
      for (JsonNode doc : YAML.readValues(parser, JsonNode.class).readAll()) {
        if (doc != null && doc.isObject()) {
          docs.add(doc);
        }
      }
    }
    return docs;
  }

  private static JsonNode deployment(List<JsonNode> docs, String component) {
    return docs.stream()
        .filter(d -> d.path("kind").asText().equals("Deployment"))
        .filter(
            d ->
                d.path("metadata")
                    .path("labels")
                    .path("app.kubernetes.io/component")
                    .asText()
                    .equals(component))
        .findFirst()
        .orElse(MissingNode.getInstance());
  }

  private static long cpuRequest(JsonNode deployment) {
    long sum = 0;
    for (JsonNode container :
        deployment.path("spec").path("template").path("spec").path("containers")) {
      String cpu = container.path("resources").path("requests").path("cpu").asText("0");
      sum += Quantities.millicores(cpu);
    }
    return sum;
  }
}
