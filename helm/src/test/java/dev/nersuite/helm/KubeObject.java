package dev.nersuite.helm;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One rendered Kubernetes object: its JSON body and the chart template it came from. The body is
 * mutable Gson; treat instances as confined to one thread.
 *
 * @param body the object as JSON
 * @param source the template path from Helm's {@code # Source:} comment, e.g. {@code
 *     ner-suite/templates/api/deployment.yaml}
 */
record KubeObject(JsonObject body, String source) {

  String apiVersion() {
    return body.get("apiVersion").getAsString();
  }

  String kind() {
    return body.get("kind").getAsString();
  }

  String name() {
    return body.getAsJsonObject("metadata").get("name").getAsString();
  }

  /** "Kind/name", for messages. */
  String id() {
    return kind() + "/" + name();
  }

  Map<String, String> labels() {
    return stringMap(body.getAsJsonObject("metadata").getAsJsonObject("labels"));
  }

  Map<String, String> annotations() {
    return stringMap(body.getAsJsonObject("metadata").getAsJsonObject("annotations"));
  }

  /** Helm hooks (the {@code helm test} pod) are not part of the installed release. */
  boolean isHook() {
    Map<String, String> annotations = annotations();
    return annotations.containsKey("helm.sh/hook")
        || annotations.containsKey(ChartRenderer.HOOK_MARKER);
  }

  JsonObject spec() {
    return body.getAsJsonObject("spec");
  }

  /** The pod spec of a Deployment or the spec of a Pod; empty for other kinds. */
  Optional<JsonObject> podSpec() {
    return switch (kind()) {
      case "Deployment" -> Optional.of(spec().getAsJsonObject("template").getAsJsonObject("spec"));
      case "Pod" -> Optional.of(spec());
      default -> Optional.empty();
    };
  }

  /** The labels a Deployment's pods get. */
  Map<String, String> podTemplateLabels() {
    return stringMap(
        spec().getAsJsonObject("template").getAsJsonObject("metadata").getAsJsonObject("labels"));
  }

  /** The container called {@code name} in this object's pod spec. */
  JsonObject container(String name) {
    JsonArray containers = podSpec().orElseThrow().getAsJsonArray("containers");
    for (JsonElement container : containers) {
      if (container.getAsJsonObject().get("name").getAsString().equals(name)) {
        return container.getAsJsonObject();
      }
    }
    throw new AssertionError(id() + " has no container " + name);
  }

  /** The value of env var {@code name} in {@code container}, if it is set with a literal value. */
  static Optional<String> env(JsonObject container, String name) {
    JsonArray env = container.getAsJsonArray("env");
    if (env == null) {
      return Optional.empty();
    }
    for (JsonElement variable : env) {
      JsonObject object = variable.getAsJsonObject();
      if (object.get("name").getAsString().equals(name) && object.has("value")) {
        return Optional.of(object.get("value").getAsString());
      }
    }
    return Optional.empty();
  }

  /**
   * Env var {@code name} of {@code container} as written (a literal value or a {@code valueFrom}).
   */
  static Optional<JsonObject> envVar(JsonObject container, String name) {
    JsonArray env = container.getAsJsonArray("env");
    if (env != null) {
      for (JsonElement variable : env) {
        if (variable.getAsJsonObject().get("name").getAsString().equals(name)) {
          return Optional.of(variable.getAsJsonObject());
        }
      }
    }
    return Optional.empty();
  }

  static Map<String, String> stringMap(JsonObject object) {
    Map<String, String> map = new LinkedHashMap<>();
    if (object != null) {
      object.entrySet().forEach(entry -> map.put(entry.getKey(), entry.getValue().getAsString()));
    }
    return map;
  }
}
