package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ManifestPolicy} catches each kind of mistake: every case breaks one thing in an otherwise
 * compliant render and expects exactly that violation.
 */
class ManifestPolicyTest {

  private final ChartRenderer renderer = new ChartRenderer();

  private List<String> violationsAfter(Consumer<RenderedRelease> breakIt) {
    RenderedRelease release = new RenderedRelease(renderer.renderWithHooks(Scenario.DEFAULTS));
    assertThat(ManifestPolicy.check(release.objects())).as("the unbroken render").isEmpty();
    breakIt.accept(release);
    return ManifestPolicy.check(release.objects());
  }

  private static JsonObject api(RenderedRelease release) {
    return release.get("Deployment", "ner-suite-api").container("api");
  }

  @Test
  void writableRootFilesystem() {
    List<String> violations =
        violationsAfter(
            r ->
                api(r)
                    .getAsJsonObject("securityContext")
                    .addProperty("readOnlyRootFilesystem", false));

    assertThat(violations)
        .containsExactly(
            "Deployment/ner-suite-api container api: readOnlyRootFilesystem must be true");
  }

  @Test
  void missingSecuritySettingsOnTheTestPod() {
    List<String> violations =
        violationsAfter(
            r -> {
              JsonObject context =
                  r.get("Pod", "ner-suite-test-api")
                      .container("test-api")
                      .getAsJsonObject("securityContext");
              context.remove("capabilities");
              context.remove("allowPrivilegeEscalation");
            });

    assertThat(violations)
        .containsExactlyInAnyOrder(
            "Pod/ner-suite-test-api container test-api: allowPrivilegeEscalation must be false",
            "Pod/ner-suite-test-api container test-api: capabilities must drop ALL");
  }

  @Test
  void rootUserAndNoSeccomp() {
    List<String> violations =
        violationsAfter(
            r -> {
              JsonObject pod = r.get("Deployment", "ner-suite-webui").podSpec().orElseThrow();
              pod.getAsJsonObject("securityContext").addProperty("runAsUser", 0);
              pod.getAsJsonObject("securityContext").remove("seccompProfile");
              pod.getAsJsonArray("containers")
                  .get(0)
                  .getAsJsonObject()
                  .getAsJsonObject("securityContext")
                  .remove("seccompProfile");
            });

    assertThat(violations)
        .containsExactlyInAnyOrder(
            "Deployment/ner-suite-webui container webui: runs as uid 0",
            "Deployment/ner-suite-webui container webui: seccompProfile must be RuntimeDefault");
  }

  @Test
  void mountedServiceAccountToken() {
    List<String> violations =
        violationsAfter(
            r ->
                r.get("Deployment", "ner-suite-api")
                    .podSpec()
                    .orElseThrow()
                    .remove("automountServiceAccountToken"));

    assertThat(violations)
        .containsExactly("Deployment/ner-suite-api: automountServiceAccountToken must be false");
  }

  @Test
  void missingLimitAndProbe() {
    List<String> violations =
        violationsAfter(
            r -> {
              api(r).getAsJsonObject("resources").getAsJsonObject("limits").remove("memory");
              api(r).remove("startupProbe");
            });

    assertThat(violations)
        .containsExactlyInAnyOrder(
            "Deployment/ner-suite-api container api: no memory limit",
            "Deployment/ner-suite-api container api: no startupProbe");
  }

  @Test
  void versionLabelInASelector() {
    List<String> violations =
        violationsAfter(
            r ->
                r.get("Service", "ner-suite-api")
                    .spec()
                    .getAsJsonObject("selector")
                    .addProperty("app.kubernetes.io/version", "0.1.0"));

    assertThat(violations)
        .containsExactly(
            "Service/ner-suite-api selector uses labels that change between releases:"
                + " [app.kubernetes.io/version]");
  }

  @Test
  void selectorWithoutComponentSelectsBothDeployments() {
    List<String> violations =
        violationsAfter(
            r ->
                r.get("PodDisruptionBudget", "ner-suite-api")
                    .spec()
                    .getAsJsonObject("selector")
                    .getAsJsonObject("matchLabels")
                    .remove("app.kubernetes.io/component"));

    assertThat(violations)
        .containsExactlyInAnyOrder(
            "PodDisruptionBudget/ner-suite-api selector lacks app.kubernetes.io/component",
            "PodDisruptionBudget/ner-suite-api selector selects 2 Deployments' pods, expected exactly 1");
  }

  @Test
  void replicasBesideAnHpa() {
    List<String> violations =
        violationsAfter(
            r -> r.get("Deployment", "ner-suite-api").spec().addProperty("replicas", 2));

    assertThat(violations)
        .singleElement()
        .asString()
        .contains("sets replicas although an HPA scales it");
  }

  @Test
  void rollingUpdateThatDropsPods() {
    List<String> violations =
        violationsAfter(
            r ->
                r.get("Deployment", "ner-suite-api")
                    .spec()
                    .getAsJsonObject("strategy")
                    .getAsJsonObject("rollingUpdate")
                    .addProperty("maxUnavailable", 1));

    assertThat(violations)
        .containsExactly("Deployment/ner-suite-api: rollingUpdate.maxUnavailable must be 0");
  }

  @Test
  void gracePeriodShorterThanSleepPlusDrain() {
    List<String> violations =
        violationsAfter(
            r ->
                r.get("Deployment", "ner-suite-api")
                    .podSpec()
                    .orElseThrow()
                    .addProperty("terminationGracePeriodSeconds", 40));

    assertThat(violations)
        .singleElement()
        .asString()
        .contains("terminationGracePeriodSeconds 40 leaves no time");
  }

  @Test
  void danglingReferences() {
    List<String> violations =
        violationsAfter(
            r -> {
              r.get("HorizontalPodAutoscaler", "ner-suite-api")
                  .spec()
                  .getAsJsonObject("scaleTargetRef")
                  .addProperty("name", "ner-suite-apy");
              r.get("Ingress", "ner-suite")
                  .spec()
                  .getAsJsonArray("rules")
                  .get(0)
                  .getAsJsonObject()
                  .getAsJsonObject("http")
                  .getAsJsonArray("paths")
                  .get(0)
                  .getAsJsonObject()
                  .getAsJsonObject("backend")
                  .getAsJsonObject("service")
                  .getAsJsonObject("port")
                  .add("name", new JsonPrimitive("https"));
              r.get("Service", "ner-suite-webui")
                  .spec()
                  .getAsJsonArray("ports")
                  .get(0)
                  .getAsJsonObject()
                  .addProperty("targetPort", "web");
            });

    assertThat(violations)
        .containsExactlyInAnyOrder(
            "HorizontalPodAutoscaler/ner-suite-api scales a Deployment that is not rendered: ner-suite-apy",
            "Deployment/ner-suite-api: no replicas and no HPA",
            "Ingress/ner-suite routes to a port Service/ner-suite-api lacks",
            "Service/ner-suite-webui targets port web its pods do not declare");
  }

  @Test
  void moreOnnxThreadsThanCpus() {
    RenderedRelease release =
        new RenderedRelease(
            renderer.render(Scenario.DEFAULTS, Map.of("api.inference.intraOpThreads", "8")));

    assertThat(ManifestPolicy.check(release.objects()))
        .containsExactly(
            "Deployment/ner-suite-api container api: 1 workers x 8 ONNX Runtime threads on 2 CPUs");
  }

  @Test
  void moreWorkersThanCpus() {
    RenderedRelease release =
        new RenderedRelease(
            renderer.render(Scenario.DEFAULTS, Map.of("api.inference.workers", "3")));

    assertThat(ManifestPolicy.check(release.objects()))
        .containsExactly(
            "Deployment/ner-suite-api container api: 3 workers x 1 ONNX Runtime threads on 2 CPUs");
  }

  @Test
  void moreWorkersTimesThreadsThanCpus() {
    RenderedRelease release =
        new RenderedRelease(
            renderer.render(
                Scenario.DEFAULTS,
                Map.of("api.inference.intraOpThreads", "2", "api.inference.workers", "2")));

    assertThat(ManifestPolicy.check(release.objects()))
        .containsExactly(
            "Deployment/ner-suite-api container api: 2 workers x 2 ONNX Runtime threads on 2 CPUs");
  }

  @Test
  void workersLeftToTheJvm() {
    List<String> violations =
        violationsAfter(
            r -> {
              JsonArray env = api(r).getAsJsonArray("env");
              for (int i = env.size() - 1; i >= 0; i--) {
                String name = env.get(i).getAsJsonObject().get("name").getAsString();
                if (name.equals("NER_INFERENCE_WORKERS")) {
                  env.remove(i);
                }
              }
            });

    assertThat(violations)
        .containsExactly("Deployment/ner-suite-api container api: NER_INFERENCE_WORKERS not set");
  }

  @Test
  void ingressLimitsBelowTheApiLimits(@TempDir Path directory) throws IOException {
    // A values file: --set would turn "10" into a number, which the schema refuses for annotations.
    Path values = directory.resolve("values.yaml");
    Files.writeString(
        values,
        """
        ingress:
          annotations:
            nginx.ingress.kubernetes.io/proxy-body-size: "1m"
            nginx.ingress.kubernetes.io/proxy-read-timeout: "10"
        """);
    RenderedRelease release =
        new RenderedRelease(
            ChartRenderer.parse(renderer.renderYaml(ChartRenderer.KUBE_VERSION, values, Map.of())));

    assertThat(ManifestPolicy.check(release.objects()))
        .containsExactlyInAnyOrder(
            "Ingress/ner-suite: proxy-body-size 1m below the API's body limit 2097152",
            "Ingress/ner-suite: proxy-read-timeout 10 s does not outlast the API's 30 s");
  }

  @Test
  void sizesAndDurationsParse() {
    assertThat(ManifestPolicy.bytes("2M")).isEqualTo(2L << 20);
    assertThat(ManifestPolicy.bytes("512k")).isEqualTo(512L << 10);
    assertThat(ManifestPolicy.bytes("4194304")).isEqualTo(4194304L);
    assertThat(ManifestPolicy.seconds("30S")).isEqualTo(30);
    assertThat(ManifestPolicy.seconds("2M")).isEqualTo(120);
    assertThat(ManifestPolicy.seconds("PT1M30S")).isEqualTo(90);
    assertThat(ManifestPolicy.seconds("45")).isEqualTo(45);
  }
}
