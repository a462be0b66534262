package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-flight bound refuses requests before any work is done for them, even while the batching
 * queue itself has room.
 */
@QuarkusTest
@TestProfile(AdmissionTest.OneInFlight.class)
class AdmissionTest {

  public static class OneInFlight implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ner.inference.max-in-flight", "1", "ner.inference.queue-size", "10000");
    }
  }

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void requestsBeyondTheInFlightBoundAreRefusedAtOnce() throws Exception {
    BackpressureTest.assertSomeRefusedSomeServed();
  }

  @Test
  void atTheBoundARequestIsRefusedBeforeItsBodyIsParsed() throws Exception {
    String longText = NerResourceTest.NEWS.repeat(2_500);
    CompletableFuture<Integer> occupying =
        CompletableFuture.supplyAsync(
            () ->
                given()
                    .contentType(ContentType.JSON)
                    .body(Map.of("text", longText))
                    .post("/api/v1/ner")
                    .statusCode());
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (ScrapedMetrics.value("ner_requests_in_flight") != 1.0) {
      assertThat(System.nanoTime())
          .as("the long request is in flight within 30 s")
          .isLessThan(deadline);
      Thread.sleep(5);
    }
    // Not JSON at all: parsed, it would be a 400; refused first, it is the 503.
    given()
        .contentType(ContentType.JSON)
        .body("this is not json")
        .post("/api/v1/ner")
        .then()
        .statusCode(503)
        .header("Retry-After", "1")
        .body("error.code", equalTo("OVERLOADED"));
    assertThat(occupying.get(60, TimeUnit.SECONDS)).isEqualTo(200);
    given()
        .contentType(ContentType.JSON)
        .body("this is not json")
        .post("/api/v1/ner")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("MALFORMED_JSON"));
  }
}
