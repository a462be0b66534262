package dev.nersuite.helm;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.custom.Quantity;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The rules every render of the chart must follow, whatever the values: resources, probes and a
 * hardened security context on every container; selectors made of immutable labels only; every
 * reference (Service, HPA, PDB, Ingress backend, NetworkPolicy) resolving to something rendered;
 * graceful-shutdown and limit settings that agree with each other. {@link #check} returns every
 * violation rather than stopping at the first. Stateless and thread-safe.
 */
final class ManifestPolicy {

  /** The only labels a selector may use: they never change during a release's life. */
  static final Set<String> SELECTOR_LABELS =
      Set.of("app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/component");

  /**
   * Kinds that own a Deployment's replica count: the HPA, and KEDA's ScaledObject (via its HPA).
   */
  static final Set<String> AUTOSCALERS = Set.of("HorizontalPodAutoscaler", "ScaledObject");

  private ManifestPolicy() {}

  /** Every violation in the rendered objects of one release; empty when the render is compliant. */
  static List<String> check(List<KubeObject> objects) {
    List<String> violations = new ArrayList<>();
    checkUniqueNames(objects, violations);
    for (KubeObject object : objects) {
      object.podSpec().ifPresent(pod -> checkPod(object, pod, violations));
      if (object.kind().equals("Deployment")) {
        checkDeployment(object, objects, violations);
      }
    }
    checkSelectors(objects, violations);
    checkReferences(objects, violations);
    checkApiSettings(objects, violations);
    return violations;
  }

  private static void checkUniqueNames(List<KubeObject> objects, List<String> violations) {
    Set<String> seen = new HashSet<>();
    for (KubeObject object : objects) {
      if (!seen.add(object.id())) {
        violations.add(object.id() + " is rendered twice");
      }
    }
  }

  private static void checkPod(KubeObject owner, JsonObject pod, List<String> violations) {
    if (!isFalse(pod.get("automountServiceAccountToken"))) {
      violations.add(owner.id() + ": automountServiceAccountToken must be false");
    }
    JsonObject podContext = objectOrEmpty(pod, "securityContext");
    for (boolean init : new boolean[] {true, false}) {
      JsonArray containers = pod.getAsJsonArray(init ? "initContainers" : "containers");
      if (containers == null) {
        continue;
      }
      for (JsonElement element : containers) {
        JsonObject container = element.getAsJsonObject();
        String where = owner.id() + " container " + container.get("name").getAsString();
        checkResources(where, container, violations);
        checkSecurityContext(
            where, podContext, objectOrEmpty(container, "securityContext"), violations);
        if (!init && owner.kind().equals("Deployment")) {
          checkProbes(where, container, violations);
        }
      }
    }
  }

  private static void checkResources(String where, JsonObject container, List<String> violations) {
    JsonObject resources = objectOrEmpty(container, "resources");
    for (String resource : List.of("cpu", "memory")) {
      Optional<BigDecimal> request = quantity(objectOrEmpty(resources, "requests"), resource);
      Optional<BigDecimal> limit = quantity(objectOrEmpty(resources, "limits"), resource);
      if (request.isEmpty()) {
        violations.add(where + ": no " + resource + " request");
      }
      if (limit.isEmpty()) {
        violations.add(where + ": no " + resource + " limit");
      }
      if (request.isPresent() && limit.isPresent() && request.get().compareTo(limit.get()) > 0) {
        violations.add(where + ": " + resource + " request above its limit");
      }
    }
  }

  private static void checkSecurityContext(
      String where, JsonObject pod, JsonObject container, List<String> violations) {
    if (!isTrue(effective(pod, container, "runAsNonRoot"))) {
      violations.add(where + ": runAsNonRoot must be true");
    }
    JsonElement user = effective(pod, container, "runAsUser");
    if (user != null && user.getAsLong() == 0) {
      violations.add(where + ": runs as uid 0");
    }
    if (!isTrue(container.get("readOnlyRootFilesystem"))) {
      violations.add(where + ": readOnlyRootFilesystem must be true");
    }
    if (!isFalse(container.get("allowPrivilegeEscalation"))) {
      violations.add(where + ": allowPrivilegeEscalation must be false");
    }
    if (isTrue(container.get("privileged"))) {
      violations.add(where + ": privileged");
    }
    JsonObject capabilities = objectOrEmpty(container, "capabilities");
    JsonArray drop = capabilities.getAsJsonArray("drop");
    if (drop == null || !drop.toString().contains("\"ALL\"")) {
      violations.add(where + ": capabilities must drop ALL");
    }
    JsonArray add = capabilities.getAsJsonArray("add");
    if (add != null && !add.isEmpty()) {
      violations.add(where + ": adds capabilities " + add);
    }
    JsonElement seccomp = effective(pod, container, "seccompProfile");
    if (seccomp == null
        || !"RuntimeDefault".equals(seccomp.getAsJsonObject().get("type").getAsString())) {
      violations.add(where + ": seccompProfile must be RuntimeDefault");
    }
  }

  private static void checkProbes(String where, JsonObject container, List<String> violations) {
    Set<String> portNames = new HashSet<>();
    Set<Integer> portNumbers = new HashSet<>();
    JsonArray ports = container.getAsJsonArray("ports");
    if (ports != null) {
      for (JsonElement port : ports) {
        JsonObject object = port.getAsJsonObject();
        portNumbers.add(object.get("containerPort").getAsInt());
        if (object.has("name")) {
          portNames.add(object.get("name").getAsString());
        }
      }
    }
    for (String probe : List.of("startupProbe", "readinessProbe", "livenessProbe")) {
      JsonObject object = container.getAsJsonObject(probe);
      if (object == null) {
        violations.add(where + ": no " + probe);
        continue;
      }
      JsonObject httpGet = object.getAsJsonObject("httpGet");
      if (httpGet == null) {
        continue; // exec or tcp probes carry no port to check
      }
      JsonElement port = httpGet.get("port");
      boolean known =
          port.getAsJsonPrimitive().isNumber()
              ? portNumbers.contains(port.getAsInt())
              : portNames.contains(port.getAsString());
      if (!known) {
        violations.add(
            where + ": " + probe + " uses port " + port + ", not declared by the container");
      }
    }
  }

  private static void checkDeployment(
      KubeObject deployment, List<KubeObject> objects, List<String> violations) {
    JsonObject rollingUpdate =
        objectOrEmpty(objectOrEmpty(deployment.spec(), "strategy"), "rollingUpdate");
    JsonElement maxUnavailable = rollingUpdate.get("maxUnavailable");
    if (maxUnavailable == null || !maxUnavailable.getAsString().matches("0%?")) {
      violations.add(deployment.id() + ": rollingUpdate.maxUnavailable must be 0");
    }
    boolean scaledByHpa =
        objects.stream()
            .filter(o -> AUTOSCALERS.contains(o.kind()))
            .anyMatch(hpa -> scaleTarget(hpa).equals(deployment.name()));
    if (scaledByHpa && deployment.spec().has("replicas")) {
      violations.add(
          deployment.id()
              + ": sets replicas although an HPA scales it (every upgrade would reset it)");
    }
    if (!scaledByHpa && !deployment.spec().has("replicas")) {
      violations.add(deployment.id() + ": no replicas and no HPA");
    }
    JsonObject pod = deployment.podSpec().orElseThrow();
    int grace =
        pod.has("terminationGracePeriodSeconds")
            ? pod.get("terminationGracePeriodSeconds").getAsInt()
            : 30;
    for (JsonElement element : pod.getAsJsonArray("containers")) {
      JsonObject container = element.getAsJsonObject();
      String where = deployment.id() + " container " + container.get("name").getAsString();
      Optional<Integer> sleep = preStopSleepSeconds(container);
      if (sleep.isEmpty()) {
        violations.add(
            where + ": no preStop sleep (requests would hit a pod already shutting down)");
        continue;
      }
      int drain =
          KubeObject.env(container, "QUARKUS_SHUTDOWN_TIMEOUT")
              .map(ManifestPolicy::seconds)
              .orElse(0);
      if (grace <= sleep.get() + drain) {
        violations.add(
            where
                + ": terminationGracePeriodSeconds "
                + grace
                + " leaves no time after the preStop sleep ("
                + sleep.get()
                + " s) and the drain ("
                + drain
                + " s)");
      }
    }
  }

  /** The sleep of a preStop hook, whether the sleep action or an exec of {@code sleep N}. */
  static Optional<Integer> preStopSleepSeconds(JsonObject container) {
    JsonObject preStop = objectOrEmpty(objectOrEmpty(container, "lifecycle"), "preStop");
    if (preStop.has("sleep")) {
      return Optional.of(preStop.getAsJsonObject("sleep").get("seconds").getAsInt());
    }
    JsonArray command = objectOrEmpty(preStop, "exec").getAsJsonArray("command");
    if (command != null && command.size() == 2 && command.get(0).getAsString().equals("sleep")) {
      return Optional.of(Integer.parseInt(command.get(1).getAsString()));
    }
    return Optional.empty();
  }

  private static void checkSelectors(List<KubeObject> objects, List<String> violations) {
    List<KubeObject> deployments =
        objects.stream().filter(o -> o.kind().equals("Deployment")).toList();
    for (KubeObject object : objects) {
      for (Map.Entry<String, Map<String, String>> selector : selectors(object).entrySet()) {
        String where = object.id() + " " + selector.getKey();
        Map<String, String> labels = selector.getValue();
        if (!SELECTOR_LABELS.containsAll(labels.keySet())) {
          Set<String> mutable = new HashSet<>(labels.keySet());
          mutable.removeAll(SELECTOR_LABELS);
          violations.add(where + " uses labels that change between releases: " + mutable);
        }
        if (!labels.containsKey("app.kubernetes.io/component")) {
          violations.add(where + " lacks app.kubernetes.io/component");
        }
        if (object.kind().equals("Deployment") && selector.getKey().equals("selector")) {
          if (!object.podTemplateLabels().entrySet().containsAll(labels.entrySet())) {
            violations.add(where + " does not match the Deployment's own pod labels");
          }
          continue;
        }
        if (object.kind().equals("ServiceMonitor")) {
          continue; // selects Services, checked in checkReferences
        }
        Predicate<KubeObject> selected =
            d -> d.podTemplateLabels().entrySet().containsAll(labels.entrySet());
        long matches = deployments.stream().filter(selected).count();
        boolean selectsTestPod = "test".equals(labels.get("app.kubernetes.io/component"));
        if (matches != 1 && !selectsTestPod) {
          violations.add(where + " selects " + matches + " Deployments' pods, expected exactly 1");
        }
      }
    }
  }

  /** Every label selector an object carries, by where it sits. */
  static Map<String, Map<String, String>> selectors(KubeObject object) {
    Map<String, Map<String, String>> selectors = new HashMap<>();
    JsonObject spec = object.spec();
    switch (object.kind()) {
      case "Deployment" -> {
        selectors.put("selector", matchLabels(spec.getAsJsonObject("selector")));
        JsonArray spread =
            object.podSpec().orElseThrow().getAsJsonArray("topologySpreadConstraints");
        if (spread != null) {
          for (int i = 0; i < spread.size(); i++) {
            selectors.put(
                "topologySpreadConstraints[" + i + "]",
                matchLabels(spread.get(i).getAsJsonObject().getAsJsonObject("labelSelector")));
          }
        }
      }
      case "Service" ->
          selectors.put("selector", KubeObject.stringMap(spec.getAsJsonObject("selector")));
      case "PodDisruptionBudget", "ServiceMonitor" ->
          selectors.put("selector", matchLabels(spec.getAsJsonObject("selector")));
      case "NetworkPolicy" -> {
        selectors.put("podSelector", matchLabels(spec.getAsJsonObject("podSelector")));
        JsonArray rules = spec.getAsJsonArray("ingress");
        for (int r = 0; rules != null && r < rules.size(); r++) {
          JsonArray from = rules.get(r).getAsJsonObject().getAsJsonArray("from");
          for (int f = 0; from != null && f < from.size(); f++) {
            JsonObject peer = from.get(f).getAsJsonObject();
            // Peers in the same namespace select this chart's pods; other namespaces' are the
            // user's.
            if (!peer.has("namespaceSelector") && peer.has("podSelector")) {
              selectors.put(
                  "ingress[" + r + "].from[" + f + "].podSelector",
                  matchLabels(peer.getAsJsonObject("podSelector")));
            }
          }
        }
      }
      default -> {}
    }
    return selectors;
  }

  private static void checkReferences(List<KubeObject> objects, List<String> violations) {
    Map<String, KubeObject> services = byName(objects, "Service");
    Map<String, KubeObject> deployments = byName(objects, "Deployment");
    for (KubeObject object : objects) {
      switch (object.kind()) {
        case "HorizontalPodAutoscaler", "ScaledObject" -> {
          if (!deployments.containsKey(scaleTarget(object))) {
            violations.add(
                object.id() + " scales a Deployment that is not rendered: " + scaleTarget(object));
          }
          // An HPA's resource metric is named cpu; a ScaledObject's trigger has type cpu.
          String cpu =
              object.kind().equals("ScaledObject") ? "\"type\":\"cpu\"" : "\"name\":\"cpu\"";
          if (!object.body().toString().contains(cpu)) {
            violations.add(object.id() + " does not scale on CPU");
          }
        }
        case "Ingress" -> {
          String middlewares =
              object.annotations().get("traefik.ingress.kubernetes.io/router.middlewares");
          if (middlewares != null) {
            for (String reference : middlewares.split(",")) {
              // "<namespace>-<name>@kubernetescrd"; the chart's own live in the release namespace
              String name = reference.strip().replaceFirst("@kubernetescrd$", "");
              boolean rendered =
                  objects.stream()
                      .filter(o -> o.kind().equals("Middleware"))
                      .anyMatch(o -> name.endsWith("-" + o.name()));
              if (!rendered) {
                violations.add(
                    object.id() + " names a Middleware that is not rendered: " + reference);
              }
            }
          }
          for (JsonElement rule : object.spec().getAsJsonArray("rules")) {
            for (JsonElement path :
                rule.getAsJsonObject().getAsJsonObject("http").getAsJsonArray("paths")) {
              JsonObject service =
                  path.getAsJsonObject().getAsJsonObject("backend").getAsJsonObject("service");
              String name = service.get("name").getAsString();
              KubeObject target = services.get(name);
              if (target == null) {
                violations.add(object.id() + " routes to a Service that is not rendered: " + name);
              } else if (!servicePortExists(target, service.getAsJsonObject("port"))) {
                violations.add(object.id() + " routes to a port Service/" + name + " lacks");
              }
            }
          }
        }
        case "ServiceMonitor" -> {
          Map<String, String> selector = matchLabels(object.spec().getAsJsonObject("selector"));
          long matched =
              services.values().stream()
                  .filter(s -> s.labels().entrySet().containsAll(selector.entrySet()))
                  .count();
          if (matched != 1) {
            violations.add(object.id() + " selects " + matched + " Services, expected exactly 1");
          }
        }
        case "Service" -> {
          Map<String, String> selector =
              KubeObject.stringMap(object.spec().getAsJsonObject("selector"));
          for (JsonElement port : object.spec().getAsJsonArray("ports")) {
            JsonObject servicePort = port.getAsJsonObject();
            String target =
                (servicePort.has("targetPort")
                        ? servicePort.get("targetPort")
                        : servicePort.get("port"))
                    .getAsString();
            boolean served =
                deployments.values().stream()
                    .filter(d -> d.podTemplateLabels().entrySet().containsAll(selector.entrySet()))
                    .anyMatch(d -> containerPorts(d).contains(target));
            if (!served) {
              violations.add(object.id() + " targets port " + target + " its pods do not declare");
            }
          }
        }
        default -> {}
      }
    }
  }

  /**
   * The API container's settings that only make sense together: inference workers x ONNX Runtime
   * threads within the CPU limit rounded up, Ingress body-size and timeouts at least the API's own
   * limits.
   */
  private static void checkApiSettings(List<KubeObject> objects, List<String> violations) {
    for (KubeObject deployment : byName(objects, "Deployment").values()) {
      if (!"api".equals(deployment.podTemplateLabels().get("app.kubernetes.io/component"))) {
        continue;
      }
      JsonObject api = deployment.container("api");
      String where = deployment.id() + " container api";
      Optional<BigDecimal> cpuLimit =
          quantity(objectOrEmpty(objectOrEmpty(api, "resources"), "limits"), "cpu");
      Optional<String> threads = KubeObject.env(api, "NER_INFERENCE_INTRA_OP_THREADS");
      Optional<String> workers = KubeObject.env(api, "NER_INFERENCE_WORKERS");
      if (threads.isEmpty()) {
        violations.add(where + ": NER_INFERENCE_INTRA_OP_THREADS not set");
      }
      if (workers.isEmpty()) {
        violations.add(where + ": NER_INFERENCE_WORKERS not set");
      }
      if (threads.isPresent() && workers.isPresent() && cpuLimit.isPresent()) {
        int cores = cpuLimit.get().setScale(0, RoundingMode.CEILING).intValueExact();
        if (Integer.parseInt(workers.get()) * Integer.parseInt(threads.get()) > cores) {
          violations.add(
              where
                  + ": "
                  + workers.get()
                  + " workers x "
                  + threads.get()
                  + " ONNX Runtime threads on "
                  + cpuLimit.get()
                  + " CPUs");
        }
      }
      JsonObject pod = deployment.podSpec().orElseThrow();
      boolean tmpMounted =
          api.getAsJsonArray("volumeMounts").toString().contains("\"mountPath\":\"/tmp\"")
              && pod.getAsJsonArray("volumes").toString().contains("emptyDir");
      if (!tmpMounted) {
        violations.add(where + ": no writable /tmp for native libraries under a read-only root");
      }
      long bodyLimit =
          KubeObject.env(api, "QUARKUS_HTTP_LIMITS_MAX_BODY_SIZE")
              .map(ManifestPolicy::bytes)
              .orElse(bytes("10240K"));
      int requestTimeout =
          KubeObject.env(api, "NER_INFERENCE_REQUEST_TIMEOUT")
              .map(ManifestPolicy::seconds)
              .orElse(30);
      for (KubeObject ingress : byName(objects, "Ingress").values()) {
        Map<String, String> annotations = ingress.annotations();
        String bodySize = annotations.get("nginx.ingress.kubernetes.io/proxy-body-size");
        if (bodySize != null && bytes(bodySize) < bodyLimit) {
          violations.add(
              ingress.id()
                  + ": proxy-body-size "
                  + bodySize
                  + " below the API's body limit "
                  + bodyLimit);
        }
        for (String key : List.of("proxy-read-timeout", "proxy-send-timeout")) {
          String timeout = annotations.get("nginx.ingress.kubernetes.io/" + key);
          if (timeout != null && Integer.parseInt(timeout) <= requestTimeout) {
            violations.add(
                ingress.id()
                    + ": "
                    + key
                    + " "
                    + timeout
                    + " s does not outlast the API's "
                    + requestTimeout
                    + " s");
          }
        }
      }
    }
  }

  /** Names and numbers of every container port of a Deployment's pods. */
  private static Set<String> containerPorts(KubeObject deployment) {
    Set<String> ports = new HashSet<>();
    for (JsonElement container : deployment.podSpec().orElseThrow().getAsJsonArray("containers")) {
      JsonArray declared = container.getAsJsonObject().getAsJsonArray("ports");
      for (int i = 0; declared != null && i < declared.size(); i++) {
        JsonObject port = declared.get(i).getAsJsonObject();
        ports.add(port.get("containerPort").getAsString());
        if (port.has("name")) {
          ports.add(port.get("name").getAsString());
        }
      }
    }
    return ports;
  }

  private static boolean servicePortExists(KubeObject service, JsonObject port) {
    for (JsonElement element : service.spec().getAsJsonArray("ports")) {
      JsonObject candidate = element.getAsJsonObject();
      if (port.has("name")
          && candidate.has("name")
          && candidate.get("name").equals(port.get("name"))) {
        return true;
      }
      if (port.has("number") && candidate.get("port").getAsInt() == port.get("number").getAsInt()) {
        return true;
      }
    }
    return false;
  }

  private static String scaleTarget(KubeObject hpa) {
    return hpa.spec().getAsJsonObject("scaleTargetRef").get("name").getAsString();
  }

  private static Map<String, KubeObject> byName(List<KubeObject> objects, String kind) {
    Map<String, KubeObject> map = new HashMap<>();
    objects.stream().filter(o -> o.kind().equals(kind)).forEach(o -> map.put(o.name(), o));
    return map;
  }

  private static Map<String, String> matchLabels(JsonObject selector) {
    if (selector == null) {
      return Map.of();
    }
    if (selector.has("matchExpressions")) {
      // Not produced by the chart; flag it through an impossible label so it is noticed.
      return Map.of("matchExpressions", selector.get("matchExpressions").toString());
    }
    return KubeObject.stringMap(selector.getAsJsonObject("matchLabels"));
  }

  /** A Kubernetes quantity as a number (cores, bytes). */
  static Optional<BigDecimal> quantity(JsonObject map, String key) {
    JsonElement value = map.get(key);
    return value == null
        ? Optional.empty()
        : Optional.of(Quantity.fromString(value.getAsString()).getNumber());
  }

  /**
   * A Quarkus memory size ("2M", "512K", "1048576") or an nginx size ("4m", "4194304") in bytes.
   */
  static long bytes(String size) {
    String trimmed = size.trim();
    char unit = Character.toUpperCase(trimmed.charAt(trimmed.length() - 1));
    long factor =
        switch (unit) {
          case 'K' -> 1L << 10;
          case 'M' -> 1L << 20;
          case 'G' -> 1L << 30;
          default -> 1;
        };
    String number = factor == 1 ? trimmed : trimmed.substring(0, trimmed.length() - 1);
    return Long.parseLong(number) * factor;
  }

  /** A Quarkus duration in the simple "30S" / "2M" forms, or an ISO-8601 "PT30S", in seconds. */
  static int seconds(String duration) {
    String upper = duration.trim().toUpperCase();
    if (upper.startsWith("PT")) {
      return (int) Duration.parse(upper).toSeconds();
    }
    if (upper.endsWith("MS")) {
      return (int) Math.ceil(Long.parseLong(upper.substring(0, upper.length() - 2)) / 1000.0);
    }
    return (int) Duration.parse("PT" + (upper.matches("\\d+") ? upper + "S" : upper)).toSeconds();
  }

  private static JsonElement effective(JsonObject pod, JsonObject container, String key) {
    return container.has(key) ? container.get(key) : pod.get(key);
  }

  private static JsonObject objectOrEmpty(JsonObject parent, String key) {
    JsonObject child = parent == null ? null : parent.getAsJsonObject(key);
    return child == null ? new JsonObject() : child;
  }

  private static boolean isTrue(JsonElement element) {
    return element != null && element.isJsonPrimitive() && element.getAsBoolean();
  }

  private static boolean isFalse(JsonElement element) {
    return element != null && element.isJsonPrimitive() && !element.getAsBoolean();
  }
}
