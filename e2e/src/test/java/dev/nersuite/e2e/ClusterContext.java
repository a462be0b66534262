package dev.nersuite.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nersuite.ha.LoadDriver;
import dev.nersuite.ha.NewsCorpus;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What every cluster scenario works with: kubectl, the Helm release, the news corpus with its
 * reference results, and ha/'s load driver aimed at the Ingress controller. Not thread-safe: one
 * test thread runs the scenarios one after another (the load driver itself is thread-safe).
 */
final class ClusterContext implements AutoCloseable {
  /** Load before the fault, so the Ingress and every pod are in steady state. */
  static final Duration STEADY = Duration.ofSeconds(5);

  /** Load after the fault settled, so late failures are seen. */
  static final Duration TAIL = Duration.ofSeconds(10);

  private final E2eSettings settings;
  private final Kube kube;
  private final HelmRelease helm;
  private NewsCorpus corpus;
  private LoadDriver driver;

  ClusterContext(E2eSettings settings) {
    this.settings = settings;
    this.kube = new Kube(settings);
    this.helm = new HelmRelease(settings);
  }

  E2eSettings settings() {
    return settings;
  }

  Kube kube() {
    return kube;
  }

  HelmRelease helm() {
    return helm;
  }

  String apiDeployment() {
    return settings.release() + "-ner-suite-api";
  }

  String webuiDeployment() {
    return settings.release() + "-ner-suite-webui";
  }

  /**
   * Takes the reference results from one ready API pod, straight to its address (as ha/ asks one
   * replica), and aims the load driver at the Ingress. Called once the release is installed.
   */
  void takeReference() {
    ApiPod pod =
        apiPods().stream()
            .filter(ApiPod::ready)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no ready API pod"));
    URI endpoint =
        settings.podNetwork()
            ? URI.create("http://" + pod.ip() + ":8080/api/v1/ner")
            : settings.ingress().resolve("/api/v1/ner");
    corpus = NewsCorpus.referenceFrom(endpoint);
    driver = new LoadDriver(settings.ingress(), corpus);
  }

  NewsCorpus corpus() {
    if (corpus == null) {
      throw new IllegalStateException("no reference results yet: install first");
    }
    return corpus;
  }

  LoadDriver driver() {
    corpus();
    return driver;
  }

  /** A stream at {@code rate} that runs at most {@code maxDuration} (scenarios stop it earlier). */
  static LoadDriver.Plan plan(String tag, double rate, Duration maxDuration) {
    return new LoadDriver.Plan(
        tag, rate, (int) Math.ceil(rate * maxDuration.toSeconds()), maxDuration, 64);
  }

  /** The release's API pods, terminating ones included. */
  List<ApiPod> apiPods() {
    List<ApiPod> pods = new ArrayList<>();
    for (JsonNode pod :
        kube.get(
                "pods",
                "-l",
                "app.kubernetes.io/instance="
                    + settings.release()
                    + ",app.kubernetes.io/component=api")
            .path("items")) {
      pods.add(ApiPod.from(pod));
    }
    return pods;
  }

  long readyApiPods() {
    return apiPods().stream().filter(p -> p.ready() && !p.terminating()).count();
  }

  /** Waits until a deployment's rollout is complete; the seconds it took. */
  double awaitRollout(String deployment, Duration timeout) {
    long started = System.nanoTime();
    kube.kubectl(
        "-n",
        settings.namespace(),
        "rollout",
        "status",
        "deployment/" + deployment,
        "--timeout=" + timeout.toSeconds() + "s");
    return (System.nanoTime() - started) / 1e9;
  }

  /**
   * Waits until every API pod is Ready and none is terminating (a scenario starts from a settled
   * Deployment, not amid the previous one's old pods); returns how many there are.
   */
  int awaitSettled(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<ApiPod> pods = apiPods();
      if (!pods.isEmpty() && pods.stream().allMatch(p -> p.ready() && !p.terminating())) {
        return pods.size();
      }
      sleep(Duration.ofSeconds(1));
    }
    throw new IllegalStateException(
        "API pods not settled within " + timeout.toSeconds() + " s: " + apiPods());
  }

  /**
   * {@code kubectl scale} of the API Deployment, then waits until exactly {@code replicas} are
   * Ready and none is terminating; returns the seconds that took.
   */
  double scaleApi(int replicas) {
    kube.kubectl(
        "-n",
        settings.namespace(),
        "scale",
        "deployment/" + apiDeployment(),
        "--replicas=" + replicas);
    return awaitApiPods(replicas, Duration.ofMinutes(8));
  }

  /** Waits until {@code count} API pods are ready and none is terminating. */
  double awaitApiPods(int count, Duration timeout) {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<ApiPod> pods = apiPods();
      if (pods.size() == count && pods.stream().allMatch(p -> p.ready() && !p.terminating())) {
        return (System.nanoTime() - started) / 1e9;
      }
      sleep(Duration.ofSeconds(1));
    }
    throw new IllegalStateException(
        "not " + count + " ready API pods within " + timeout.toSeconds() + " s: " + apiPods());
  }

  /**
   * The largest working set of the API pods in MiB, from the resource metrics API (what the HPA
   * reads; -1 when metrics-server has no figure yet).
   */
  long maxApiMemoryMiB() {
    try {
      JsonNode metrics =
          kube.raw(
              "/apis/metrics.k8s.io/v1beta1/namespaces/"
                  + settings.namespace()
                  + "/pods?labelSelector=app.kubernetes.io/component%3Dapi");
      long max = -1;
      for (JsonNode pod : metrics.path("items")) {
        for (JsonNode container : pod.path("containers")) {
          max =
              Math.max(max, Quantities.mebibytes(container.path("usage").path("memory").asText()));
        }
      }
      return max;
    } catch (IllegalStateException e) {
      return -1;
    }
  }

  /**
   * Waits until Traefik serves a router through the Middleware {@code middleware} (its own API,
   * {@code --api.insecure} on its in-cluster entry point): Traefik's Ingress and CRD providers
   * publish independently, so right after {@code helm upgrade} the router may not use it yet.
   * Returns the seconds it took.
   */
  double awaitIngressMiddleware(String middleware, Duration timeout) throws Exception {
    JsonNode pods = kube.raw("/api/v1/namespaces/ingress-traefik/pods");
    String ip = pods.path("items").get(0).path("status").path("podIP").asText();
    URI routers = URI.create("http://" + ip + ":9000/api/http/routers");
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      java.net.http.HttpResponse<String> answer =
          java.net.http.HttpClient.newHttpClient()
              .send(
                  java.net.http.HttpRequest.newBuilder(routers)
                      .timeout(Duration.ofSeconds(5))
                      .build(),
                  java.net.http.HttpResponse.BodyHandlers.ofString());
      for (JsonNode router : Kube.JSON.readTree(answer.body())) {
        if (router.path("middlewares").toString().contains("\"" + middleware + "\"")
            && router.path("status").asText().equals("enabled")) {
          return (System.nanoTime() - started) / 1e9;
        }
      }
      sleep(Duration.ofMillis(500));
    }
    throw new IllegalStateException(
        "no enabled Traefik router uses " + middleware + " within " + timeout.toSeconds() + " s");
  }

  /** The Ingress controller's access log lines since {@code sinceSeconds} ago. */
  List<IngressLog.Entry> ingressLog(long sinceMillis) {
    return IngressLog.read(kube, sinceMillis);
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static String seconds(double value) {
    return String.format(Locale.ROOT, "%.1f s", value);
  }

  @Override
  public void close() {
    if (driver != null) {
      driver.close();
    }
  }
}
