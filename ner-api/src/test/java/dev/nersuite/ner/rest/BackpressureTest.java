package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One worker, no waiting room: concurrent requests beyond it are refused at once with 503. */
@QuarkusTest
@TestProfile(BackpressureTest.OneWorker.class)
class BackpressureTest {
  static final int CLIENTS = 6;

  public static class OneWorker implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ner.inference.workers", "1", "ner.inference.queue-size", "0");
    }
  }

  /** Refused as OVERLOADED, by the in-flight bound (model="") or by any model's full queue. */
  static double overloaded() {
    return ScrapedMetrics.sum("ner_rejected_total", java.util.Map.of("reason", "overloaded"));
  }

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void requestsBeyondCapacityGet503WithRetryAfterAndTheOthersSucceed() throws Exception {
    assertSomeRefusedSomeServed();
  }

  /** Fires concurrent long requests; at least one is served and at least one refused. */
  static void assertSomeRefusedSomeServed() throws Exception {
    double refusedBefore = overloaded();
    String longText = NerResourceTest.NEWS.repeat(2_500); // ~90,000 characters per request
    ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<Response>> responses = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        responses.add(
            clients.submit(
                () ->
                    given()
                        .contentType(ContentType.JSON)
                        .body(Map.of("text", longText))
                        .post("/api/v1/ner")));
      }
      int ok = 0;
      int refused = 0;
      for (Future<Response> future : responses) {
        Response response = future.get();
        if (response.statusCode() == 503) {
          response.then().body("error.code", equalTo("OVERLOADED"));
          assertThat(response.header("Retry-After")).isEqualTo("1");
          refused++;
        } else {
          assertThat(response.statusCode()).isEqualTo(200);
          ok++;
        }
      }
      assertThat(ok).isGreaterThanOrEqualTo(1);
      assertThat(refused).isGreaterThanOrEqualTo(1);
    } finally {
      clients.shutdownNow();
    }
    assertThat(overloaded()).isGreaterThan(refusedBefore);
  }
}
