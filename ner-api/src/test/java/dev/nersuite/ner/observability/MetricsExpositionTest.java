package dev.nersuite.ner.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;

import dev.nersuite.ner.config.MetricsConfiguration;
import dev.nersuite.ner.rest.Readiness;
import dev.nersuite.ner.rest.ScrapedMetrics;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * /q/metrics as an operator reads it: the real promtool on the running service's output, in both
 * formats, after traffic that creates every kind of series (success, client error, batch).
 */
@QuarkusTest
class MetricsExpositionTest {
  static final String NEWS = "新华社北京3月5日电，国务院总理李强在人民大会堂作政府工作报告。";

  private static final Pattern TYPE_LINE =
      Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
  private static final Pattern HELP_LINE = Pattern.compile("^# HELP (\\S+) ", Pattern.MULTILINE);

  @BeforeEach
  void traffic() {
    Readiness.await();
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("text", NEWS))
        .post("/api/v1/ner")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("texts", List.of(NEWS, "李明在北京大学读书。")))
        .post("/api/v1/ner/batch")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("text", " "))
        .post("/api/v1/ner")
        .then()
        .statusCode(400);
  }

  private static String scrape(String accept, String expectedContentType) {
    var request = given();
    if (accept != null) {
      request = request.header("Accept", accept);
    }
    return request
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .header("Content-Type", equalTo(expectedContentType))
        .extract()
        .asString();
  }

  private static String text() {
    return scrape("text/plain", "text/plain; version=0.0.4; charset=utf-8");
  }

  @Test
  void promtoolFindsNothingInTheTextFormat() throws Exception {
    for (String accept : new String[] {null, "*/*", "text/plain"}) {
      String exposition = scrape(accept, "text/plain; version=0.0.4; charset=utf-8");
      Promtool.Result result = Promtool.checkMetrics(exposition);

      assertThat(result.lines()).as("promtool findings, Accept: %s", accept).isEmpty();
      assertThat(result.exitCode()).isZero();
    }
  }

  /**
   * promtool's linter reads only the Prometheus text format, where a counter's family is named with
   * its {@code _total}; in OpenMetrics the family is named without it, so promtool sees each
   * counter's samples as a family without help text. That is all it may find: anything else (a
   * parse error, a name or unit finding) fails. The strict OpenMetrics parser then checks what
   * promtool cannot.
   */
  @Test
  void openMetricsParsesInPromtoolAndInAStrictOpenMetricsParser() throws Exception {
    String exposition =
        scrape(
            "application/openmetrics-text",
            "application/openmetrics-text; version=1.0.0; charset=utf-8");
    assertThat(exposition).endsWith("# EOF\n");

    Set<String> counters = new TreeSet<>();
    Matcher type = TYPE_LINE.matcher(exposition);
    while (type.find()) {
      if (type.group(2).equals("counter")) {
        counters.add(type.group(1));
      }
    }
    Set<String> helped = new TreeSet<>();
    HELP_LINE.matcher(exposition).results().forEach(help -> helped.add(help.group(1)));
    assertThat(helped).as("every counter has a help text").containsAll(counters);
    Promtool.Result result = Promtool.checkMetrics(exposition);

    assertThat(counters).contains("ner_entities", "ner_rejected", "ner_characters");
    assertThat(result.lines())
        .containsExactlyInAnyOrderElementsOf(
            counters.stream().map(name -> name + "_total no help text").toList());
    assertThat(OpenMetricsParser.families(exposition)).isEqualTo(helped.size());
  }

  @Test
  void prometheusScrapesOpenMetricsAndAnUnknownFormatIsRefusedWithJson() {
    scrape(
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;"
            + "q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
        "application/openmetrics-text; version=1.0.0; charset=utf-8");
    given()
        .header("Accept", "application/json")
        .get("/q/metrics")
        .then()
        .statusCode(406)
        .contentType(startsWith("application/json"))
        .body("error.code", equalTo("NOT_ACCEPTABLE"));
  }

  @Test
  void theServiceMetricsAreThereUnderConventionalNames() {
    Map<String, String> types = new java.util.HashMap<>();
    Matcher type = TYPE_LINE.matcher(text());
    while (type.find()) {
      types.put(type.group(1), type.group(2));
    }

    assertThat(types)
        .containsEntry("http_server_requests_seconds", "histogram")
        .containsEntry("ner_inference_seconds", "histogram")
        .containsEntry("ner_batch_seconds", "histogram")
        .containsEntry("ner_queue_wait_seconds", "histogram")
        .containsEntry("ner_request_texts", "histogram")
        .containsEntry("ner_batch_rows", "histogram")
        .containsEntry("ner_batch_tokens", "histogram")
        .containsEntry("ner_characters_total", "counter")
        .containsEntry("ner_entities_total", "counter")
        .containsEntry("ner_rejected_total", "counter")
        .containsEntry("ner_queue_depth", "gauge")
        .containsEntry("ner_requests_in_flight", "gauge")
        .containsEntry("process_cpu_seconds_total", "counter")
        .containsEntry("system_cpus", "gauge")
        .containsEntry("jvm_memory_used_bytes", "gauge");
    assertThat(types.keySet())
        .doesNotContain("process_cpu_time_ns_total", "system_cpu_count")
        .noneMatch(name -> name.startsWith("netty_") || name.contains("connections_seconds"));
  }

  @Test
  void requestsAreCountedByOutcomeAndEntitiesByType() {
    assertThat(
            ScrapedMetrics.value(
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\","
                    + "status=\"200\",uri=\"/api/v1/ner\"}"))
        .isPositive();
    assertThat(
            ScrapedMetrics.value(
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"CLIENT_ERROR\","
                    + "status=\"400\",uri=\"/api/v1/ner\"}"))
        .isPositive();
    assertThat(ScrapedMetrics.sum("ner_entities_total", java.util.Map.of("type", "LOC")))
        .isPositive();
    assertThat(ScrapedMetrics.value("ner_request_texts_count")).isGreaterThanOrEqualTo(2);
  }

  @Test
  void everyRefusalReasonHasASeriesBeforeTheFirstRefusal() {
    String exposition = text();

    // refusals before a model is chosen (model=""), and each model's own queue and deadline
    for (String reason : MetricsConfiguration.REJECTION_REASONS) {
      assertThat(exposition).contains("ner_rejected_total{model=\"\",reason=\"" + reason + "\",}");
    }
    for (String model : dev.nersuite.ner.inference.ModelBundle.embeddedNames()) {
      for (String reason : new String[] {"overloaded", "timeout"}) {
        assertThat(exposition)
            .contains("ner_rejected_total{model=\"" + model + "\",reason=\"" + reason + "\",}");
      }
    }
  }

  @Test
  void latencyHistogramsResolveSubMillisecondToSeconds() {
    String exposition = text();

    for (String histogram :
        List.of(
            "http_server_requests_seconds",
            "ner_inference_seconds",
            "ner_queue_wait_seconds",
            "ner_batch_seconds")) {
      Set<Double> bounds = bucketBounds(exposition, histogram);
      Set<Double> expected =
          Arrays.stream(MetricsConfiguration.LATENCY_BUCKETS_SECONDS)
              .boxed()
              .collect(Collectors.toCollection(TreeSet::new));
      expected.add(Double.POSITIVE_INFINITY);
      assertThat(bounds).as(histogram).isEqualTo(expected);
      assertThat(bounds).as(histogram).anyMatch(b -> b < 0.001).anyMatch(b -> b >= 30);
    }
    assertThat(bucketBounds(exposition, "ner_batch_rows")).contains(1.0, 64.0);
  }

  private static Set<Double> bucketBounds(String exposition, String histogram) {
    Pattern bucket =
        Pattern.compile("^" + histogram + "_bucket\\{.*le=\"([^\"]+)\"", Pattern.MULTILINE);
    Set<Double> bounds = new TreeSet<>();
    bucket
        .matcher(exposition)
        .results()
        .forEach(
            m ->
                bounds.add(
                    m.group(1).equals("+Inf")
                        ? Double.POSITIVE_INFINITY
                        : Double.parseDouble(m.group(1))));
    return bounds;
  }
}
