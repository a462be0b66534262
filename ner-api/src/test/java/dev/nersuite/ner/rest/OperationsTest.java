package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health endpoints once ready, and the Prometheus metrics. */
@QuarkusTest
class OperationsTest {

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void startupReadinessAndLivenessAreUpOnceTheModelIsWarm() {
    given().get("/q/health/started").then().statusCode(200).body("status", equalTo("UP"));
    given()
        .get("/q/health/ready")
        .then()
        .statusCode(200)
        .body("checks.find { it.name == 'model' }.data.state", equalTo("READY"));
    given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void metricsCountRequestsLatencyEntitiesAndTheJvm() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("text", NerResourceTest.NEWS))
        .post("/api/v1/ner")
        .then()
        .statusCode(200);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("text", " "))
        .post("/api/v1/ner")
        .then()
        .statusCode(400);
    given()
        .header("Accept", "application/openmetrics-text") // the format Prometheus scrapes
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(
            containsString(
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"SUCCESS\",status=\"200\",uri=\"/api/v1/ner\"}"))
        .body(
            containsString(
                "http_server_requests_seconds_count{method=\"POST\",outcome=\"CLIENT_ERROR\",status=\"400\",uri=\"/api/v1/ner\"}"))
        .body(containsString("http_server_requests_seconds_bucket"))
        .body(containsString("ner_inference_seconds_count"))
        .body(containsString("ner_inference_seconds_bucket"))
        .body(containsString("ner_request_texts_count"))
        .body(containsString("ner_characters_total"))
        .body(containsString("ner_entities_total{type=\"LOC\"}"))
        .body(containsString("ner_queue_depth"))
        .body(containsString("ner_queue_wait_seconds_count"))
        .body(containsString("ner_batch_rows_count"))
        .body(containsString("ner_batch_tokens_count"))
        .body(containsString("jvm_memory_used_bytes"));
  }
}
