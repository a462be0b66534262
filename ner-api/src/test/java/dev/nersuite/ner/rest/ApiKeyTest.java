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

/**
 * With {@code ner.auth.api-keys} set, the API needs a key; health, metrics and the WebUI do not.
 */
@QuarkusTest
@TestProfile(ApiKeyTest.Profile.class)
class ApiKeyTest {
  /** Two keys (a rotation). */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ner.auth.api-keys", "old-key-1234, new-key-5678");
    }
  }

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void withoutAValidKeyEveryApiPathIs401WithAChallenge() {
    for (String header : new String[] {null, "Bearer wrong", "Bearer ", "Basic b2xkLWtleS0xMjM0"}) {
      var request = given().contentType(ContentType.JSON).body(Map.of("text", "李明在北京。"));
      if (header != null) {
        request = request.header("Authorization", header);
      }
      request
          .post("/api/v1/ner")
          .then()
          .statusCode(401)
          .header("WWW-Authenticate", "Bearer")
          .body("error.code", equalTo("UNAUTHORIZED"));
    }
    given().header("X-API-Key", "old-key-123").get("/api/v1/models").then().statusCode(401);
    given().get("/api/v1/dictionary").then().statusCode(401);
    given().get("/api/v1/no-such-endpoint").then().statusCode(401);
  }

  @Test
  void eitherKeyWorksInEitherHeader() {
    given()
        .header("Authorization", "Bearer old-key-1234")
        .contentType(ContentType.JSON)
        .body(Map.of("text", "李明在北京。"))
        .post("/api/v1/ner")
        .then()
        .statusCode(200);
    given()
        .header("authorization", "bearer new-key-5678")
        .get("/api/v1/model")
        .then()
        .statusCode(200);
    given().header("X-API-Key", "new-key-5678").get("/api/v1/models").then().statusCode(200);
    // an empty X-API-Key header does not hide a Bearer key
    given()
        .header("X-API-Key", "")
        .header("Authorization", "Bearer new-key-5678")
        .get("/api/v1/models")
        .then()
        .statusCode(200);
  }

  @Test
  void healthMetricsOpenApiAndTheWebUiStayOpen() {
    given().get("/q/health/ready").then().statusCode(200);
    given().get("/q/metrics").then().statusCode(200);
    given().get("/q/openapi").then().statusCode(200);
    given().get("/").then().statusCode(200);
  }
}
