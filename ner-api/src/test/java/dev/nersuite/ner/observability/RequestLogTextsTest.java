package dev.nersuite.ner.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ner.rest.Readiness;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With the debug option {@code ner.logging.texts}, and only then, the line carries the texts. */
@QuarkusTest
@TestProfile(RequestLogTextsTest.TextsLogged.class)
class RequestLogTextsTest {

  /** Turns the option on. */
  public static class TextsLogged implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ner.logging.texts", "true");
    }
  }

  @Test
  void theDebugOptionLogsTheTextsOfSingleAndBatchRequests() throws Exception {
    Readiness.await();
    try (LogCapture logs = new LogCapture()) {
      given()
          .contentType(ContentType.JSON)
          .header(RequestLogFilter.HEADER, "single-1")
          .body(Map.of("text", RequestLogTest.PRIVATE_TEXT))
          .post("/api/v1/ner")
          .then()
          .statusCode(200);
      given()
          .contentType(ContentType.JSON)
          .header(RequestLogFilter.HEADER, "batch-1")
          .body(Map.of("texts", List.of("北京", "上海")))
          .post("/api/v1/ner/batch")
          .then()
          .statusCode(200);

      assertThat(logs.requestLine("single-1").fields())
          .containsEntry("texts", "[\"" + RequestLogTest.PRIVATE_TEXT + "\"]");
      assertThat(logs.requestLine("batch-1").fields()).containsEntry("texts", "[\"北京\",\"上海\"]");
    }
  }
}
