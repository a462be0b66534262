package dev.nersuite.e2e;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One API pod as the API server sees it. Immutable and thread-safe.
 *
 * @param ip the pod's address ("" before it has one)
 * @param ready its Ready condition
 * @param terminating it has a deletion timestamp
 * @param containerId the API container's id in containerd ("" before it runs)
 * @param restarts the API container's restart count
 */
record ApiPod(
    String name,
    String node,
    String ip,
    boolean ready,
    boolean terminating,
    String containerId,
    int restarts) {

  static ApiPod from(JsonNode pod) {
    boolean ready = false;
    for (JsonNode condition : pod.path("status").path("conditions")) {
      if (condition.path("type").asText().equals("Ready")) {
        ready = condition.path("status").asText().equals("True");
      }
    }
    String containerId = "";
    int restarts = 0;
    for (JsonNode status : pod.path("status").path("containerStatuses")) {
      containerId = status.path("containerID").asText("").replace("containerd://", "");
      restarts = status.path("restartCount").asInt();
    }
    return new ApiPod(
        pod.path("metadata").path("name").asText(),
        pod.path("spec").path("nodeName").asText(""),
        pod.path("status").path("podIP").asText(""),
        ready,
        pod.path("metadata").has("deletionTimestamp"),
        containerId,
        restarts);
  }
}
