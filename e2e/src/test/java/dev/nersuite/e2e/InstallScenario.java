package dev.nersuite.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nersuite.ha.ControlClient;
import dev.nersuite.ha.Figures;
import dev.nersuite.ha.LatencyStats;
import dev.nersuite.ha.NewsCorpus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Scenario 1: {@code helm install} with the default values plus the single-node file; every pod
 * Ready; {@code helm test} passes; the WebUI's page at {@code /} and {@code POST /api/v1/ner}
 * through the Ingress controller, the latter with exactly the entities a pod gives when asked
 * directly. Not thread-safe.
 */
final class InstallScenario {
  static final Duration READY_TIMEOUT = Duration.ofMinutes(8);

  private final ClusterContext cluster;

  InstallScenario(ClusterContext cluster) {
    this.cluster = cluster;
  }

  Figures run() throws Exception {
    List<String> violations = new ArrayList<>();
    long started = System.nanoTime();
    cluster.helm().install();
    double apiReady = cluster.awaitRollout(cluster.apiDeployment(), READY_TIMEOUT);
    double webuiReady = cluster.awaitRollout(cluster.webuiDeployment(), READY_TIMEOUT);
    // With the HPA on, the Deployment has no replica count: it starts with one pod and the HPA
    // raises it to its minimum at its next sync. Ready means the minimum is Ready.
    int minimum =
        cluster.kube().get("hpa", cluster.apiDeployment()).path("spec").path("minReplicas").asInt();
    double atMinimum =
        (System.nanoTime() - started) / 1e9 + cluster.awaitApiPods(minimum, READY_TIMEOUT);
    double allReady = (System.nanoTime() - started) / 1e9;
    JsonNode pods = cluster.kube().get("pods");
    List<String> podLines = new ArrayList<>();
    Map<String, java.util.Set<String>> nodesByComponent = new java.util.TreeMap<>();
    Map<String, Integer> podsByComponent = new java.util.TreeMap<>();
    for (JsonNode pod : pods.path("items")) {
      ApiPod p = ApiPod.from(pod);
      String component =
          pod.path("metadata").path("labels").path("app.kubernetes.io/component").asText();
      podLines.add(p.name() + "@" + p.node() + (p.ready() ? "" : " NOT READY"));
      nodesByComponent.computeIfAbsent(component, c -> new java.util.TreeSet<>()).add(p.node());
      podsByComponent.merge(component, 1, Integer::sum);
      if (!p.ready()) {
        violations.add("pod " + p.name() + " is not Ready after the rollouts completed");
      }
    }
    int nodes = cluster.settings().nodes().size();
    podsByComponent.forEach(
        (component, count) -> {
          int spread = nodesByComponent.get(component).size();
          if (spread < Math.min(count, nodes)) {
            violations.add(
                count
                    + " "
                    + component
                    + " pods on only "
                    + spread
                    + " of "
                    + nodes
                    + " nodes: the topology spread did not spread them");
          }
        });

    long testStarted = System.nanoTime();
    String helmTest;
    try {
      cluster.helm().test();
      helmTest =
          String.format(Locale.ROOT, "passed in %.1f s", (System.nanoTime() - testStarted) / 1e9);
    } catch (RuntimeException e) {
      helmTest = "FAILED";
      violations.add("helm test failed: " + e.getMessage());
    }

    // The WebUI through the Ingress: the very page of ner-webui/, byte for byte.
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<byte[]> page =
        http.send(
            HttpRequest.newBuilder(cluster.settings().ingress().resolve("/"))
                .timeout(Duration.ofSeconds(30))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    Path index = cluster.settings().chart().resolveSibling("ner-webui/src/main/webapp/index.html");
    boolean samePage =
        page.statusCode() == 200 && java.util.Arrays.equals(page.body(), Files.readAllBytes(index));
    if (!samePage) {
      violations.add(
          "GET / through the Ingress answered "
              + page.statusCode()
              + " with "
              + page.body().length
              + " bytes, not the WebUI's index.html ("
              + Files.size(index)
              + " bytes)");
    }

    // The API through the Ingress, against the reference a pod gave directly.
    cluster.takeReference();
    NewsCorpus corpus = cluster.corpus();
    if (corpus.totalEntities() <= corpus.sentences().size()) {
      violations.add(
          "the reference results have only "
              + corpus.totalEntities()
              + " entities for "
              + corpus.sentences().size()
              + " sentences: comparing against them would prove little");
    }
    URI ner = cluster.settings().ingress().resolve("/api/v1/ner");
    List<Double> millis = new ArrayList<>();
    int correct = 0;
    for (String sentence : corpus.sentences()) {
      long t0 = System.nanoTime();
      HttpResponse<String> answer =
          ControlClient.postJson(
              ner,
              ControlClient.JSON.writeValueAsString(Map.of("text", sentence)),
              Duration.ofSeconds(60));
      millis.add((System.nanoTime() - t0) / 1e6);
      JsonNode body =
          answer.statusCode() == 200 ? ControlClient.JSON.readTree(answer.body()) : null;
      if (body != null
          && NewsCorpus.same(
              corpus.expected(sentence), NewsCorpus.parseEntities(body.path("entities")))) {
        correct++;
      } else {
        violations.add(
            "POST /api/v1/ner through the Ingress: "
                + answer.statusCode()
                + " "
                + answer.body()
                + " for "
                + sentence);
      }
    }
    return Figures.of("1. helm install → Ready, helm test, WebUI and API through the Ingress")
        .counts(corpus.sentences().size() + 1, violations.isEmpty() ? 0 : violations.size(), 0)
        .latency(new LatencyStats(millis))
        .memory(-1, cluster.maxApiMemoryMiB())
        .recovery(
            String.format(
                Locale.ROOT,
                "install → all Ready %.1f s (first API pod %.1f s, WebUI +%.1f s, HPA minimum of %d API pods Ready at %.1f s)",
                allReady,
                apiReady,
                webuiReady,
                minimum,
                atMinimum))
        .notes(
            String.format(
                Locale.ROOT,
                "pods %s, nodes per component %s; helm test %s; GET / through Traefik %d, %d bytes = ner-webui's index.html: %s;"
                    + " POST /api/v1/ner through Traefik: %d/%d sentences with exactly the entities"
                    + " pod-direct answers gave (model %s, %d entities in all)",
                podLines,
                nodesByComponent,
                helmTest,
                page.statusCode(),
                page.body().length,
                samePage,
                correct,
                corpus.sentences().size(),
                corpus.model(),
                corpus.totalEntities()))
        .violations(violations)
        .build();
  }
}
