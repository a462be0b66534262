package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A request that cannot finish within the deadline is answered 503 TIMEOUT, not left waiting. */
@QuarkusTest
@TestProfile(DeadlineTest.TinyDeadline.class)
class DeadlineTest {

  public static class TinyDeadline implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "ner.inference.request-timeout", "0.001S", "ner.inference.retry-after-seconds", "7");
    }
  }

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void aRequestPastItsDeadlineGets503Timeout() {
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("text", NerResourceTest.NEWS.repeat(2_000)))
        .post("/api/v1/ner")
        .then()
        .statusCode(503)
        .header("Retry-After", "7")
        .body("error.code", equalTo("TIMEOUT"));
  }
}
