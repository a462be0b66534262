package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** What each values scenario must change in the render, and what the defaults are. */
class ScenarioBehaviourTest {

  private static final String API = "ner-suite-api";
  private static final String WEBUI = "ner-suite-webui";

  private final ChartRenderer renderer = new ChartRenderer();

  private RenderedRelease render(Scenario scenario) {
    return new RenderedRelease(renderer.render(scenario));
  }

  @Test
  void defaultsRunTheApiUnderAnHpaWithProbesOnSmallRyeHealth() {
    RenderedRelease release = render(Scenario.DEFAULTS);

    assertThat(release.ids())
        .containsExactlyInAnyOrder(
            "ServiceAccount/ner-suite",
            "Deployment/" + API,
            "Service/" + API,
            "HorizontalPodAutoscaler/" + API,
            "PodDisruptionBudget/" + API,
            "Deployment/" + WEBUI,
            "Service/" + WEBUI,
            "PodDisruptionBudget/" + WEBUI,
            "Ingress/ner-suite");
    KubeObject deployment = release.get("Deployment", API);
    assertThat(deployment.spec().has("replicas")).isFalse();
    JsonObject api = deployment.container("api");
    assertThat(probePath(api, "startupProbe")).isEqualTo("/q/health/started");
    assertThat(probePath(api, "readinessProbe")).isEqualTo("/q/health/ready");
    assertThat(probePath(api, "livenessProbe")).isEqualTo("/q/health/live");
    JsonObject startup = api.getAsJsonObject("startupProbe");
    assertThat(startup.get("periodSeconds").getAsInt() * startup.get("failureThreshold").getAsInt())
        .as("seconds the model may take to load")
        .isGreaterThanOrEqualTo(120);
    // One ONNX Runtime thread per worker, one worker per CPU of the "2" limit (ADR 0005).
    assertThat(KubeObject.env(api, "NER_INFERENCE_INTRA_OP_THREADS")).contains("1");
    assertThat(KubeObject.env(api, "NER_INFERENCE_WORKERS")).contains("2");
    assertThat(KubeObject.env(api, "NER_MODEL_PATH")).isEmpty();
    assertThat(KubeObject.env(api, "JDK_JAVA_OPTIONS").orElseThrow())
        .contains("-XX:MaxRAMPercentage=50", "-Djava.io.tmpdir=/tmp");
    assertThat(KubeObject.env(api, "DJL_CACHE_DIR")).contains("/tmp/djl");
    assertThat(ManifestPolicy.preStopSleepSeconds(api)).contains(10);
    assertThat(deployment.podSpec().orElseThrow().get("terminationGracePeriodSeconds").getAsInt())
        .isEqualTo(50);

    KubeObject hpa = release.get("HorizontalPodAutoscaler", API);
    assertThat(hpa.apiVersion()).isEqualTo("autoscaling/v2");
    assertThat(hpa.spec().get("minReplicas").getAsInt()).isEqualTo(2);
    assertThat(
            hpa.spec()
                .getAsJsonObject("behavior")
                .getAsJsonObject("scaleDown")
                .get("stabilizationWindowSeconds")
                .getAsInt())
        .isEqualTo(300);
    assertThat(release.get("PodDisruptionBudget", API).apiVersion()).isEqualTo("policy/v1");

    JsonArray spread =
        deployment.podSpec().orElseThrow().getAsJsonArray("topologySpreadConstraints");
    // Only keys every node has: the scheduler ignores each node that lacks any constraint's key, so
    // a zone constraint on zone-less nodes also switched off the spread over nodes (e2e/ cluster:
    // 4 of 4 WebUI pods on one node without zone labels, 2 and 2 with them).
    assertThat(spread).hasSize(1);
    assertThat(spread.get(0).getAsJsonObject().get("topologyKey").getAsString())
        .isEqualTo("kubernetes.io/hostname");
    assertThat(
            render(Scenario.DEFAULTS)
                .get("Deployment", WEBUI)
                .podSpec()
                .orElseThrow()
                .getAsJsonArray("topologySpreadConstraints")
                .toString())
        .doesNotContain("topology.kubernetes.io/zone");
  }

  @Test
  void defaultsLogJsonLinesWithoutTextsAndTraceNothing() {
    JsonObject api = render(Scenario.DEFAULTS).get("Deployment", API).container("api");

    assertThat(KubeObject.env(api, "QUARKUS_LOG_CONSOLE_JSON_ENABLED")).contains("true");
    assertThat(KubeObject.env(api, "NER_LOGGING_REQUESTS")).contains("true");
    assertThat(KubeObject.env(api, "NER_LOGGING_TEXTS")).contains("false");
    assertThat(KubeObject.env(api, "QUARKUS_OTEL_SDK_DISABLED")).contains("true");
    assertThat(KubeObject.env(api, "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")).isEmpty();
  }

  @Test
  void observabilityValuesTurnOnTracesDashboardAlertsAndInFlightScaling() {
    RenderedRelease release = render(Scenario.OBSERVABILITY);
    JsonObject api = release.get("Deployment", API).container("api");

    assertThat(KubeObject.env(api, "QUARKUS_OTEL_SDK_DISABLED")).contains("false");
    assertThat(KubeObject.env(api, "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))
        .contains("http://otel-collector.observability.svc:4318");
    assertThat(KubeObject.env(api, "QUARKUS_OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"))
        .contains("http/protobuf");
    assertThat(KubeObject.env(api, "QUARKUS_OTEL_TRACES_SAMPLER"))
        .contains("parentbased_traceidratio");
    assertThat(KubeObject.env(api, "QUARKUS_OTEL_TRACES_SAMPLER_ARG")).contains("0.25");
    assertThat(release.get("PrometheusRule", API).labels())
        .containsEntry("release", "kube-prometheus-stack");
    assertThat(release.get("ConfigMap", API + "-dashboard").labels())
        .containsEntry("grafana_dashboard", "1");
    JsonArray metrics =
        release.get("HorizontalPodAutoscaler", API).spec().getAsJsonArray("metrics");
    assertThat(metrics).hasSize(2);
    JsonObject inFlight = metrics.get(1).getAsJsonObject().getAsJsonObject("pods");
    assertThat(inFlight.getAsJsonObject("metric").get("name").getAsString())
        .isEqualTo("ner_requests_in_flight");
    assertThat(inFlight.getAsJsonObject("target").get("averageValue").getAsString())
        .isEqualTo("24");
  }

  @Test
  void kedaReplacesTheHpaWithAScaledObjectOnCpuAndRequestsInFlight() {
    RenderedRelease release = render(Scenario.KEDA);

    assertThat(release.ofKind("HorizontalPodAutoscaler")).isEmpty();
    assertThat(release.get("Deployment", API).spec().has("replicas")).isFalse();
    KubeObject scaler = release.get("ScaledObject", API);
    assertThat(scaler.spec().getAsJsonObject("scaleTargetRef").get("name").getAsString())
        .isEqualTo(API);
    assertThat(scaler.spec().get("minReplicaCount").getAsInt()).isEqualTo(3);
    assertThat(scaler.spec().get("maxReplicaCount").getAsInt()).isEqualTo(12);
    JsonArray triggers = scaler.spec().getAsJsonArray("triggers");
    assertThat(triggers).hasSize(2);
    JsonObject cpu = triggers.get(0).getAsJsonObject();
    assertThat(cpu.get("type").getAsString()).isEqualTo("cpu");
    assertThat(cpu.getAsJsonObject("metadata").get("value").getAsString()).isEqualTo("70");
    JsonObject prometheus = triggers.get(1).getAsJsonObject().getAsJsonObject("metadata");
    assertThat(prometheus.get("serverAddress").getAsString())
        .isEqualTo("http://kube-prometheus-stack-prometheus.monitoring.svc:9090");
    assertThat(prometheus.get("query").getAsString())
        .isEqualTo(
            "sum(ner_requests_in_flight{namespace=\"default\",pod=~\"ner-suite-api-[a-z0-9]+-[a-z0-9]+\"})");
    assertThat(prometheus.get("threshold").getAsString()).isEqualTo("16");
    // The HPA KEDA creates scales like the chart's own.
    JsonObject behavior =
        scaler
            .spec()
            .getAsJsonObject("advanced")
            .getAsJsonObject("horizontalPodAutoscalerConfig")
            .getAsJsonObject("behavior");
    assertThat(behavior)
        .isEqualTo(
            render(Scenario.DEFAULTS)
                .get("HorizontalPodAutoscaler", API)
                .spec()
                .getAsJsonObject("behavior"));
  }

  @Test
  void defaultIngressRoutesApiAndOpenApiToTheApiAndTheRestToTheWebUi() {
    KubeObject ingress = render(Scenario.DEFAULTS).get("Ingress", "ner-suite");

    assertThat(routes(ingress))
        .containsExactly(
            "/api->" + API, "/q/openapi->" + API, "/q/swagger-ui->" + API, "/->" + WEBUI);
    assertThat(ingress.spec().has("ingressClassName")).isFalse();
    assertThat(ingress.spec().has("tls")).isFalse();
    // Twice the API's 2M body limit, 5 s beyond its 30 s request timeout.
    assertThat(ingress.annotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "4194304")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "35")
        .containsEntry("nginx.ingress.kubernetes.io/proxy-send-timeout", "35");
  }

  @Test
  void ingressAnnotationsFollowTheApiLimits() {
    KubeObject ingress =
        new RenderedRelease(
                renderer.render(
                    Scenario.DEFAULTS,
                    Map.of(
                        "api.limits.maxBodySize", "512K",
                        "api.inference.requestTimeoutSeconds", "120")))
            .get("Ingress", "ner-suite");

    assertThat(ingress.annotations())
        .containsEntry(
            "nginx.ingress.kubernetes.io/proxy-body-size", String.valueOf(2 * 512 * 1024))
        .containsEntry("nginx.ingress.kubernetes.io/proxy-read-timeout", "125");
  }

  @Test
  void openApiPathsCanStayPrivate() {
    KubeObject ingress =
        new RenderedRelease(
                renderer.render(Scenario.DEFAULTS, Map.of("ingress.exposeOpenApi", "false")))
            .get("Ingress", "ner-suite");

    assertThat(routes(ingress)).containsExactly("/api->" + API, "/->" + WEBUI);
  }

  @Test
  void fixedReplicasReplaceTheHpa() {
    RenderedRelease release = render(Scenario.FIXED_REPLICAS);

    assertThat(release.ofKind("HorizontalPodAutoscaler")).isEmpty();
    assertThat(release.get("Deployment", API).spec().get("replicas").getAsInt()).isEqualTo(3);
  }

  @Test
  void ingressWithTlsServesTheHostOverHttps() {
    KubeObject ingress = render(Scenario.INGRESS_TLS).get("Ingress", "ner-suite");

    assertThat(ingress.spec().get("ingressClassName").getAsString()).isEqualTo("nginx");
    JsonObject tls = ingress.spec().getAsJsonArray("tls").get(0).getAsJsonObject();
    assertThat(tls.get("secretName").getAsString()).isEqualTo("ner-example-com-tls");
    assertThat(tls.getAsJsonArray("hosts").toString()).isEqualTo("[\"ner.example.com\"]");
    assertThat(
            ingress
                .spec()
                .getAsJsonArray("rules")
                .get(0)
                .getAsJsonObject()
                .get("host")
                .getAsString())
        .isEqualTo("ner.example.com");
    assertThat(ingress.annotations())
        .containsEntry("cert-manager.io/cluster-issuer", "letsencrypt")
        .containsKey("nginx.ingress.kubernetes.io/proxy-body-size");
  }

  @Test
  void userAnnotationsWinOverDerivedOnes() {
    KubeObject ingress =
        new RenderedRelease(
                renderer.render(
                    Scenario.DEFAULTS,
                    Map.of(
                        "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/proxy-body-size",
                        "8m")))
            .get("Ingress", "ner-suite");

    assertThat(ingress.annotations())
        .containsEntry("nginx.ingress.kubernetes.io/proxy-body-size", "8m");
  }

  @Test
  void networkPolicyLetsOnlyTheIngressControllerTheWebUiAndTheTestPodReachTheApi() {
    RenderedRelease release = render(Scenario.NETWORK_POLICY);

    KubeObject policy = release.get("NetworkPolicy", API);
    assertThat(policy.spec().getAsJsonArray("policyTypes").toString()).isEqualTo("[\"Ingress\"]");
    JsonArray rules = policy.spec().getAsJsonArray("ingress");
    assertThat(rules).hasSize(1);
    JsonArray from = rules.get(0).getAsJsonObject().getAsJsonArray("from");
    List<String> peers = new ArrayList<>();
    for (JsonElement peer : from) {
      JsonObject object = peer.getAsJsonObject();
      peers.add(
          object.has("namespaceSelector")
              ? "namespace "
                  + object.getAsJsonObject("namespaceSelector").getAsJsonObject("matchLabels")
              : "component "
                  + object
                      .getAsJsonObject("podSelector")
                      .getAsJsonObject("matchLabels")
                      .get("app.kubernetes.io/component")
                      .getAsString());
    }
    assertThat(peers)
        .containsExactly(
            "namespace {\"kubernetes.io/metadata.name\":\"ingress-nginx\"}",
            "component webui",
            "component test",
            "namespace {\"kubernetes.io/metadata.name\":\"monitoring\"}");
    assertThat(rules.get(0).getAsJsonObject().getAsJsonArray("ports").toString())
        .isEqualTo("[{\"port\":\"http\",\"protocol\":\"TCP\"}]");
    assertThat(release.get("NetworkPolicy", WEBUI).spec().getAsJsonArray("ingress").toString())
        .doesNotContain("\"webui\"");

    KubeObject monitor = release.get("ServiceMonitor", API);
    JsonObject endpoint = monitor.spec().getAsJsonArray("endpoints").get(0).getAsJsonObject();
    assertThat(endpoint.get("path").getAsString()).isEqualTo("/q/metrics");
    assertThat(endpoint.get("port").getAsString()).isEqualTo("http");
    assertThat(monitor.labels()).containsEntry("release", "kube-prometheus-stack");
  }

  @Test
  void traefikGetsAMiddlewareThatRetriesOnlyWhatNoPodReceived() {
    RenderedRelease release = render(Scenario.TRAEFIK);
    KubeObject middleware = release.get("Middleware", "ner-suite-ingress");
    // Traefik's retry repeats a request only while no byte of it reached a pod (connection
    // refused): safe for POST. Its buffering middleware (a body limit, retries after a reset) is
    // not used: on the e2e cluster it answered plain-text 413s and 500s (docs/deploy.md).
    assertThat(middleware.spec().keySet()).containsExactly("retry");
    JsonObject retry = middleware.spec().getAsJsonObject("retry");
    assertThat(retry.get("attempts").getAsInt()).isEqualTo(3);
    assertThat(retry.get("initialInterval").getAsString()).isEqualTo("100ms");
    KubeObject ingress = release.get("Ingress", "ner-suite");
    assertThat(ingress.annotations())
        .containsEntry(
            "traefik.ingress.kubernetes.io/router.middlewares",
            ChartRenderer.NAMESPACE + "-ner-suite-ingress@kubernetescrd")
        .doesNotContainKey("nginx.ingress.kubernetes.io/proxy-body-size");
    assertThat(ingress.spec().get("ingressClassName").getAsString()).isEqualTo("traefik");
    // Off by default: the Middleware kind exists only where Traefik's CRDs are installed.
    assertThat(render(Scenario.DEFAULTS).objects()).noneMatch(o -> o.kind().equals("Middleware"));
  }

  @Test
  void modelFromAVolumeIsMountedReadOnlyAndPointedAt() {
    KubeObject deployment = render(Scenario.MODEL_VOLUME).get("Deployment", API);
    JsonObject api = deployment.container("api");

    assertThat(KubeObject.env(api, "NER_MODEL_PATH")).contains("/models/ner");
    JsonObject mount = volumeMount(api, "model");
    assertThat(mount.get("mountPath").getAsString()).isEqualTo("/models/ner");
    assertThat(mount.get("subPath").getAsString()).isEqualTo("raner-base-zh");
    assertThat(mount.get("readOnly").getAsBoolean()).isTrue();
    assertThat(
            volume(deployment, "model")
                .getAsJsonObject("persistentVolumeClaim")
                .get("claimName")
                .getAsString())
        .isEqualTo("ner-models");
    // The scenario's CPU limit is 3500m: 4 workers of one ONNX Runtime thread each.
    assertThat(KubeObject.env(api, "NER_INFERENCE_INTRA_OP_THREADS")).contains("1");
    assertThat(KubeObject.env(api, "NER_INFERENCE_WORKERS")).contains("4");
  }

  @Test
  void modelFromAnImageIsCopiedByAnInitContainer() {
    KubeObject deployment = render(Scenario.MODEL_IMAGE).get("Deployment", API);
    JsonObject pod = deployment.podSpec().orElseThrow();

    JsonObject init = pod.getAsJsonArray("initContainers").get(0).getAsJsonObject();
    assertThat(init.get("image").getAsString())
        .isEqualTo("registry.example.com/ner-models/raner-base-zh:1.0.0");
    assertThat(init.getAsJsonArray("command").toString())
        .isEqualTo("[\"cp\",\"-R\",\"/model/.\",\"/model-bundle/\"]");
    assertThat(volumeMount(init, "model").get("mountPath").getAsString())
        .isEqualTo("/model-bundle");
    assertThat(volume(deployment, "model").has("emptyDir")).isTrue();
    JsonObject api = deployment.container("api");
    assertThat(volumeMount(api, "model").get("readOnly").getAsBoolean()).isTrue();
    assertThat(KubeObject.env(api, "NER_MODEL_PATH")).contains("/models/ner");
  }

  @Test
  void extraModelsADictionaryAndApiKeysReachTheApi() {
    RenderedRelease release = render(Scenario.MODELS_DICTIONARY_KEYS);
    KubeObject deployment = release.get("Deployment", API);
    JsonObject api = deployment.container("api");

    assertThat(KubeObject.env(api, "NER_MODELS_EMBEDDED")).contains("raner-compact-zh");
    assertThat(KubeObject.env(api, "NER_MODELS_DEFAULT")).contains("raner-base-zh");
    assertThat(KubeObject.env(api, "NER_MODELS_DIRECTORIES"))
        .contains("/models/extra/raner-base-zh,/models/extra/raner-legal-zh");
    assertThat(KubeObject.env(api, "NER_MODEL_PATH")).isEmpty();
    JsonObject fromPvc = volumeMount(api, "model-extra-0");
    assertThat(fromPvc.get("mountPath").getAsString()).isEqualTo("/models/extra/raner-base-zh");
    assertThat(fromPvc.get("subPath").getAsString()).isEqualTo("raner-base-zh");
    assertThat(fromPvc.get("readOnly").getAsBoolean()).isTrue();
    assertThat(volume(deployment, "model-extra-0").has("persistentVolumeClaim")).isTrue();
    JsonObject fromImage = volumeMount(api, "model-extra-1");
    assertThat(fromImage.get("mountPath").getAsString()).isEqualTo("/models/extra/raner-legal-zh");
    assertThat(fromImage.has("subPath")).isFalse();
    assertThat(
            volume(deployment, "model-extra-1")
                .getAsJsonObject("emptyDir")
                .get("sizeLimit")
                .getAsString())
        .isEqualTo("1Gi");
    JsonObject init =
        deployment
            .podSpec()
            .orElseThrow()
            .getAsJsonArray("initContainers")
            .get(0)
            .getAsJsonObject();
    assertThat(init.get("name").getAsString()).isEqualTo("model-extra-1");
    assertThat(init.get("image").getAsString())
        .isEqualTo("registry.example.com/ner-models/raner-legal-zh:2.1.0");

    // the dictionary: a ConfigMap mounted as a directory (updates reach the pod), no subPath
    assertThat(KubeObject.env(api, "NER_DICTIONARY_PATH"))
        .contains("/etc/ner/dictionary/dictionary.tsv");
    assertThat(KubeObject.env(api, "NER_DICTIONARY_RELOAD_INTERVAL")).contains("2S");
    JsonObject dictionaryMount = volumeMount(api, "dictionary");
    assertThat(dictionaryMount.has("subPath")).isFalse();
    String configMap =
        volume(deployment, "dictionary").getAsJsonObject("configMap").get("name").getAsString();
    KubeObject dictionary = release.get("ConfigMap", configMap);
    assertThat(dictionary.body().getAsJsonObject("data").get("dictionary.tsv").getAsString())
        .contains("深度求索\tORG", "人大\t-");

    // the keys: from a Secret, never in the pod spec; a new key set rolls the pods
    JsonObject keys = KubeObject.envVar(api, "NER_AUTH_API_KEYS").orElseThrow();
    String secretName =
        keys.getAsJsonObject("valueFrom").getAsJsonObject("secretKeyRef").get("name").getAsString();
    KubeObject secret = release.get("Secret", secretName);
    String encoded = secret.body().getAsJsonObject("data").get("api-keys").getAsString();
    assertThat(
            new String(
                java.util.Base64.getDecoder().decode(encoded),
                java.nio.charset.StandardCharsets.UTF_8))
        .isEqualTo("team-search-7Hq2xP,team-legal-Wm4tZc");
    assertThat(deployment.body().toString()).doesNotContain("team-search-7Hq2xP");
    assertThat(
            deployment
                .body()
                .getAsJsonObject("spec")
                .getAsJsonObject("template")
                .getAsJsonObject("metadata")
                .getAsJsonObject("annotations")
                .has("checksum/api-keys"))
        .isTrue();
    // the helm test pod sends the first key
    KubeObject test =
        new RenderedRelease(renderer.renderWithHooks(Scenario.MODELS_DICTIONARY_KEYS, Map.of()))
            .get("Pod", "ner-suite-test-api");
    assertThat(KubeObject.envVar(test.container("test-api"), "API_KEYS").orElseThrow().toString())
        .contains("\"name\":\"" + secretName + "\"");
  }

  @Test
  void oldClusterGetsTheApiVersionsItServes() {
    RenderedRelease release = render(Scenario.OLD_CLUSTER);

    assertThat(release.get("HorizontalPodAutoscaler", API).apiVersion())
        .isEqualTo("autoscaling/v2beta2");
    assertThat(release.get("PodDisruptionBudget", API).apiVersion()).isEqualTo("policy/v1beta1");
    assertThat(release.get("PodDisruptionBudget", WEBUI).apiVersion()).isEqualTo("policy/v1beta1");
    JsonObject api = release.get("Deployment", API).container("api");
    assertThat(api.getAsJsonObject("lifecycle").getAsJsonObject("preStop").has("exec")).isTrue();
    assertThat(ManifestPolicy.preStopSleepSeconds(api)).contains(10);
  }

  @ParameterizedTest
  @CsvSource({
    "1.20.2, autoscaling/v2beta2, policy/v1beta1, exec",
    "1.22.0, autoscaling/v2beta2, policy/v1, exec",
    "1.23.0, autoscaling/v2, policy/v1, exec",
    "1.29.4, autoscaling/v2, policy/v1, exec",
    "1.30.0, autoscaling/v2, policy/v1, sleep",
    "1.32.0, autoscaling/v2, policy/v1, sleep",
  })
  void apiVersionsFollowTheClusterVersion(String kube, String hpa, String pdb, String preStop) {
    RenderedRelease release = new RenderedRelease(renderer.renderForKubeVersion(kube));

    assertThat(release.get("HorizontalPodAutoscaler", API).apiVersion()).isEqualTo(hpa);
    assertThat(release.get("PodDisruptionBudget", API).apiVersion()).isEqualTo(pdb);
    JsonObject hook =
        release
            .get("Deployment", API)
            .container("api")
            .getAsJsonObject("lifecycle")
            .getAsJsonObject("preStop");
    assertThat(hook.keySet()).containsExactly(preStop);
  }

  @Test
  void limitsReachTheApiAsPlainIntegers(@TempDir Path directory) throws IOException {
    // Helm reads YAML numbers as floats: a million must not become "1e+06" in the environment.
    Path values = directory.resolve("limits.yaml");
    Files.writeString(
        values, "api:\n  limits:\n    maxTextChars: 1000000\n    maxBatchChars: 4000000\n");
    JsonObject api =
        new RenderedRelease(
                ChartRenderer.parse(
                    renderer.renderYaml(ChartRenderer.KUBE_VERSION, values, Map.of())))
            .get("Deployment", API)
            .container("api");

    assertThat(KubeObject.env(api, "NER_LIMITS_MAX_TEXT_CHARS")).contains("1000000");
    assertThat(KubeObject.env(api, "NER_LIMITS_MAX_BATCH_CHARS")).contains("4000000");
    assertThat(KubeObject.env(api, "NER_LIMITS_MAX_BATCH_TEXTS")).contains("64");
  }

  /**
   * Workers x intra-op threads from the CPU limit: one thread per worker unless configured, then
   * max(1, CPU limit rounded up / threads) workers unless configured. An empty cell leaves the
   * value at its default.
   */
  @ParameterizedTest(name = "limit {0}, intraOpThreads {1}, workers {2} -> {3} x {4}")
  @CsvSource({
    "2,     ,  , 1, 2",
    "1500m, ,  , 1, 2",
    "500m,  ,  , 1, 1",
    "3500m, ,  , 1, 4",
    "2,     2, , 2, 1",
    "4,     2, , 2, 2",
    "3,     2, , 2, 1",
    "2,     4, , 4, 1",
    "2,     1, , 1, 2",
    "2,      , 1, 1, 1",
    "2,      , 3, 1, 3",
    "2,     2, 3, 2, 3",
  })
  void inferenceThreadsAndWorkersFollowTheCpuLimit(
      String cpuLimit,
      String intraOpThreads,
      String workers,
      String expectedThreads,
      String expectedWorkers) {
    Map<String, Object> sets = new HashMap<>();
    sets.put("api.resources.limits.cpu", cpuLimit);
    if (intraOpThreads != null) {
      sets.put("api.inference.intraOpThreads", intraOpThreads);
    }
    if (workers != null) {
      sets.put("api.inference.workers", workers);
    }
    JsonObject api =
        new RenderedRelease(renderer.render(Scenario.DEFAULTS, sets))
            .get("Deployment", API)
            .container("api");

    assertThat(KubeObject.env(api, "NER_INFERENCE_INTRA_OP_THREADS")).contains(expectedThreads);
    assertThat(KubeObject.env(api, "NER_INFERENCE_WORKERS")).contains(expectedWorkers);
  }

  private static String probePath(JsonObject container, String probe) {
    return container.getAsJsonObject(probe).getAsJsonObject("httpGet").get("path").getAsString();
  }

  private static List<String> routes(KubeObject ingress) {
    List<String> routes = new ArrayList<>();
    for (JsonElement path :
        ingress
            .spec()
            .getAsJsonArray("rules")
            .get(0)
            .getAsJsonObject()
            .getAsJsonObject("http")
            .getAsJsonArray("paths")) {
      JsonObject object = path.getAsJsonObject();
      assertThat(object.get("pathType").getAsString()).isEqualTo("Prefix");
      routes.add(
          object.get("path").getAsString()
              + "->"
              + object
                  .getAsJsonObject("backend")
                  .getAsJsonObject("service")
                  .get("name")
                  .getAsString());
    }
    return routes;
  }

  private static JsonObject volumeMount(JsonObject container, String name) {
    for (JsonElement mount : container.getAsJsonArray("volumeMounts")) {
      if (mount.getAsJsonObject().get("name").getAsString().equals(name)) {
        return mount.getAsJsonObject();
      }
    }
    throw new AssertionError("no volume mount " + name + " in " + container.get("name"));
  }

  private static JsonObject volume(KubeObject deployment, String name) {
    for (JsonElement volume : deployment.podSpec().orElseThrow().getAsJsonArray("volumes")) {
      if (volume.getAsJsonObject().get("name").getAsString().equals(name)) {
        return volume.getAsJsonObject();
      }
    }
    throw new AssertionError("no volume " + name + " in " + deployment.id());
  }
}
