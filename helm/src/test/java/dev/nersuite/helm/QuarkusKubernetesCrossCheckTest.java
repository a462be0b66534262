package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart against what ner-api says about itself: the Deployment and Service quarkus-kubernetes
 * generates from the app's configuration (probe paths, ports, metrics path, startup budget) and the
 * app's application.properties (body limit, shutdown timings). ner-api builds before helm in the
 * reactor; without its output these tests fail instead of skipping.
 */
class QuarkusKubernetesCrossCheckTest {

  private static RenderedRelease generated;
  private static RenderedRelease chart;

  @BeforeAll
  static void load() throws IOException {
    Path manifest = RepositoryPaths.quarkusKubernetesManifest();
    if (!Files.isRegularFile(manifest)) {
      fail(
          manifest
              + " is missing: build ner-api first (`mvn -B -pl ner-api package`, or the whole"
              + " `mvn -B verify`, where ner-api comes before helm).");
    }
    generated = new RenderedRelease(ChartRenderer.parse(Files.readString(manifest)));
    // The ServiceMonitor scenario renders everything the app describes (Service, probes, metrics).
    chart = new RenderedRelease(new ChartRenderer().render(Scenario.NETWORK_POLICY));
  }

  private static JsonObject generatedContainer() {
    List<KubeObject> deployments = generated.ofKind("Deployment");
    assertThat(deployments).as("Deployments in kubernetes.yml").hasSize(1);
    JsonArray containers = deployments.get(0).podSpec().orElseThrow().getAsJsonArray("containers");
    assertThat(containers).hasSize(1);
    return containers.get(0).getAsJsonObject();
  }

  private static JsonObject chartContainer() {
    return chart.get("Deployment", "ner-suite-api").container("api");
  }

  @Test
  void probesUseTheAppsPathsAndPort() {
    JsonObject app = generatedContainer();
    JsonObject ours = chartContainer();

    int checked = 0;
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      JsonObject appProbe = app.getAsJsonObject(probe);
      assertThat(appProbe).as("quarkus-kubernetes generated %s", probe).isNotNull();
      JsonObject appGet = appProbe.getAsJsonObject("httpGet");
      JsonObject ourGet = ours.getAsJsonObject(probe).getAsJsonObject("httpGet");
      assertThat(ourGet.get("path").getAsString())
          .as(probe + " path")
          .isEqualTo(appGet.get("path").getAsString());
      assertThat(containerPort(ours, ourGet.get("port")))
          .as(probe + " port")
          .isEqualTo(containerPort(app, appGet.get("port")));
      checked++;
    }
    assertThat(checked).isEqualTo(3);
  }

  @Test
  void startupBudgetIsAtLeastTheApps() {
    JsonObject app = generatedContainer().getAsJsonObject("startupProbe");
    JsonObject ours = chartContainer().getAsJsonObject("startupProbe");

    assertThat(budget(ours)).isGreaterThanOrEqualTo(budget(app));
  }

  @Test
  void containerPortIsTheAppsHttpPort() {
    JsonObject app = generatedContainer().getAsJsonArray("ports").get(0).getAsJsonObject();
    JsonObject ours = chartContainer().getAsJsonArray("ports").get(0).getAsJsonObject();

    assertThat(ours.get("name").getAsString()).isEqualTo(app.get("name").getAsString());
    assertThat(ours.get("containerPort").getAsInt()).isEqualTo(app.get("containerPort").getAsInt());
    KubeObject appService = generated.ofKind("Service").get(0);
    JsonElement appTarget =
        appService.spec().getAsJsonArray("ports").get(0).getAsJsonObject().get("targetPort");
    JsonElement ourTarget =
        chart
            .get("Service", "ner-suite-api")
            .spec()
            .getAsJsonArray("ports")
            .get(0)
            .getAsJsonObject()
            .get("targetPort");
    assertThat(containerPort(chartContainer(), ourTarget))
        .isEqualTo(containerPort(generatedContainer(), appTarget));
  }

  @Test
  void serviceMonitorScrapesTheAppsMetricsEndpoint() {
    Map<String, String> annotations = generated.ofKind("Deployment").get(0).annotations();
    assertThat(annotations)
        .as("prometheus.io annotations from quarkus-kubernetes")
        .containsKey("prometheus.io/path");
    JsonObject endpoint =
        chart
            .get("ServiceMonitor", "ner-suite-api")
            .spec()
            .getAsJsonArray("endpoints")
            .get(0)
            .getAsJsonObject();

    assertThat(endpoint.get("path").getAsString()).isEqualTo(annotations.get("prometheus.io/path"));
    JsonObject servicePort =
        chart
            .get("Service", "ner-suite-api")
            .spec()
            .getAsJsonArray("ports")
            .get(0)
            .getAsJsonObject();
    assertThat(servicePort.get("name").getAsString()).isEqualTo(endpoint.get("port").getAsString());
    assertThat(containerPort(chartContainer(), servicePort.get("targetPort")))
        .isEqualTo(Integer.parseInt(annotations.get("prometheus.io/port")));
  }

  @Test
  void chartDefaultsMatchTheAppsOwnSettings() throws IOException {
    Properties app = new Properties();
    try (Reader reader =
        Files.newBufferedReader(
            RepositoryPaths.root().resolve("ner-api/src/main/resources/application.properties"))) {
      app.load(reader);
    }
    JsonObject ours = chartContainer();

    assertThat(
            ManifestPolicy.bytes(
                KubeObject.env(ours, "QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE").orElseThrow()))
        .isEqualTo(
            ManifestPolicy.bytes(app.getProperty("quarkus.http.limits.max-body-size", "10240K")));
    int shutdownTimeout =
        ManifestPolicy.seconds(KubeObject.env(ours, "QUARKUS_SHUTDOWN_TIMEOUT").orElseThrow());
    assertThat(shutdownTimeout)
        .isEqualTo(ManifestPolicy.seconds(app.getProperty("quarkus.shutdown.timeout", "30S")));
    // After SIGTERM the app still serves for ner.shutdown.delay (readiness DOWN), then drains
    // inference and HTTP within the shutdown timeout: all of it must fit in the grace period after
    // the preStop sleep. The delay's default lives in NerConfig (3S) unless the properties set it.
    int delay = ManifestPolicy.seconds(app.getProperty("ner.shutdown.delay", "3S"));
    int grace =
        chart
            .get("Deployment", "ner-suite-api")
            .podSpec()
            .orElseThrow()
            .get("terminationGracePeriodSeconds")
            .getAsInt();
    assertThat(grace)
        .isGreaterThan(
            ManifestPolicy.preStopSleepSeconds(ours).orElseThrow() + delay + shutdownTimeout);
  }

  private static int budget(JsonObject probe) {
    int delay = probe.has("initialDelaySeconds") ? probe.get("initialDelaySeconds").getAsInt() : 0;
    return delay + probe.get("periodSeconds").getAsInt() * probe.get("failureThreshold").getAsInt();
  }

  /** A probe or Service port (number or container-port name) as the container port number. */
  private static int containerPort(JsonObject container, JsonElement port) {
    if (port.getAsJsonPrimitive().isNumber()) {
      return port.getAsInt();
    }
    for (JsonElement declared : container.getAsJsonArray("ports")) {
      JsonObject object = declared.getAsJsonObject();
      if (object.has("name") && object.get("name").getAsString().equals(port.getAsString())) {
        return object.get("containerPort").getAsInt();
      }
    }
    throw new AssertionError("container declares no port named " + port);
  }
}
