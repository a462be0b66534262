package dev.nersuite.ner.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ner.rest.Readiness;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The request id and the one log line per API request, with the service's default settings. */
@QuarkusTest
class RequestLogTest {
  /** A text no log line may contain (texts may be personal data). */
  static final String PRIVATE_TEXT = "张秘密在保密大街九号住。";

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  private static Response recognize(String requestId, String text) {
    var request = given().contentType(ContentType.JSON).body(Map.of("text", text));
    if (requestId != null) {
      request = request.header(RequestLogFilter.HEADER, requestId);
    }
    return request.post("/api/v1/ner");
  }

  @Test
  void aRequestIdIsTakenReturnedAndLoggedWithStatusLatencyAndModelButNotTheText() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      Response response = recognize("gw-7f3a.42:1", PRIVATE_TEXT);

      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.header(RequestLogFilter.HEADER)).isEqualTo("gw-7f3a.42:1");
      LogCapture.Entry line = logs.requestLine("gw-7f3a.42:1");
      assertThat(line.fields())
          .containsEntry("method", "POST")
          .containsEntry("path", "/api/v1/ner")
          .containsEntry("status", "200")
          .containsEntry("model", response.jsonPath().getString("model"))
          .doesNotContainKey("texts");
      assertThat(Double.parseDouble(line.fields().get("latency_ms"))).isPositive();
      assertThat(line.message()).contains("POST /api/v1/ner 200", "gw-7f3a.42:1");
      assertThat(logs.entries())
          .isNotEmpty()
          .noneMatch(entry -> entry.everything().contains(PRIVATE_TEXT))
          .noneMatch(entry -> entry.everything().contains("保密大街"));
    }
  }

  @Test
  void aMissingOrImplausibleIdIsReplacedByAFreshOne() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      String first = recognize(null, "北京").header(RequestLogFilter.HEADER);
      String second = recognize(null, "上海").header(RequestLogFilter.HEADER);
      String hostile = recognize("x\" onerror=1 " + "y".repeat(200), "广州").header("X-Request-Id");

      for (String id : new String[] {first, second, hostile}) {
        assertThat(UUID.fromString(id).toString()).isEqualTo(id);
        assertThat(logs.requestLine(id).fields()).containsEntry("status", "200");
      }
      assertThat(first).isNotEqualTo(second);
    }
  }

  @Test
  void refusedRequestsGetAnIdAndALineToo() throws Exception {
    try (LogCapture logs = new LogCapture()) {
      // Refused by the body-size guard from Content-Length alone, before any other route.
      Response tooLarge =
          given()
              .contentType(ContentType.JSON)
              .header(RequestLogFilter.HEADER, "big-1")
              .body("{\"text\":\"" + "字".repeat(1_100_000) + "\"}")
              .post("/api/v1/ner");
      Response invalid = recognize("blank-1", " ");

      assertThat(tooLarge.statusCode()).isEqualTo(413);
      assertThat(tooLarge.header(RequestLogFilter.HEADER)).isEqualTo("big-1");
      assertThat(logs.requestLine("big-1").fields())
          .containsEntry("status", "413")
          .doesNotContainKey("model");
      assertThat(invalid.statusCode()).isEqualTo(400);
      assertThat(logs.requestLine("blank-1").fields()).containsEntry("status", "400");
    }
  }
}
