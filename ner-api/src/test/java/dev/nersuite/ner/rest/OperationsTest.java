package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Health endpoints once ready (the metrics: observability.MetricsExpositionTest). */
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
}
