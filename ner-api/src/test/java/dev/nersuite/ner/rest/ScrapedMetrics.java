package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;

/** Reads one sample from the service's /q/metrics, as Prometheus scrapes it (OpenMetrics). */
public final class ScrapedMetrics {
  private ScrapedMetrics() {}

  /**
   * The value of a sample, e.g. {@code ner_rejected_total{reason="overloaded"}} (labels as the
   * exposition orders them), or 0 when it is not exposed.
   */
  public static double value(String sample) {
    String metrics =
        given().header("Accept", "application/openmetrics-text").get("/q/metrics").asString();
    return metrics
        .lines()
        .filter(line -> line.startsWith(sample + " "))
        .mapToDouble(line -> Double.parseDouble(line.substring(sample.length() + 1)))
        .findFirst()
        .orElse(0);
  }

  /**
   * The sum of every sample of {@code name} whose labels include {@code labels} (e.g. the refusals
   * of every model for one reason), or 0 when there is none.
   */
  public static double sum(String name, java.util.Map<String, String> labels) {
    String metrics =
        given().header("Accept", "application/openmetrics-text").get("/q/metrics").asString();
    return metrics
        .lines()
        .filter(line -> line.startsWith(name + "{"))
        .filter(
            line ->
                labels.entrySet().stream()
                    .allMatch(e -> line.contains(e.getKey() + "=\"" + e.getValue() + "\"")))
        .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
        .sum();
  }
}
