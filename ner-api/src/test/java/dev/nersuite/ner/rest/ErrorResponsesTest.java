package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every client mistake gets a 4xx with a JSON error body and a stable code, never a 500. */
@QuarkusTest
class ErrorResponsesTest {

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  private static ValidatableResponse post(String path, byte[] body) {
    return given().contentType(ContentType.JSON).body(body).post(path).then();
  }

  private static void assertError(ValidatableResponse response, int status, String code) {
    response
        .statusCode(status)
        .contentType(ContentType.JSON)
        .body("error.code", equalTo(code))
        .body("error.message", not(equalTo("")))
        .body(not(containsString("Exception")));
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"text\": | 400 | MALFORMED_JSON",
        "not json | 400 | MALFORMED_JSON",
        "{\"text\": 123} | 400 | INVALID_FIELD",
        "{\"text\": true} | 400 | INVALID_FIELD",
        "{\"text\": [\"a\"]} | 400 | INVALID_FIELD",
        "[\"a\"] | 400 | INVALID_FIELD",
        "{\"text\": null} | 400 | MISSING_FIELD",
        "{} | 400 | MISSING_FIELD",
        "{\"text\": \"  \\t \"} | 400 | BLANK_TEXT",
        "{\"text\": \"a\", \"lang\": \"zh\"} | 400 | UNKNOWN_FIELD",
        "{\"text\": \"\\ud800x\"} | 400 | INVALID_TEXT",
        "{\"text\": \"x\\udc00\"} | 400 | INVALID_TEXT",
        "{\"text\": \"李强\", \"text\": \"王建国\"} | 400 | MALFORMED_JSON",
        "{\"text\": null, \"text\": \"x\"} | 400 | MALFORMED_JSON",
      })
  void singleTextMistakes(String body, int status, String code) {
    assertError(post("/api/v1/ner", body.getBytes(StandardCharsets.UTF_8)), status, code);
  }

  @ParameterizedTest(name = "{0} -> {1} {2}")
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"texts\": \"a\"} | 400 | INVALID_FIELD",
        "{\"texts\": [1]} | 400 | INVALID_FIELD",
        "{\"texts\": [\"a\", null]} | 400 | MISSING_FIELD",
        "{\"texts\": []} | 400 | EMPTY_BATCH",
        "{\"texts\": [\"a\", \" \"]} | 400 | BLANK_TEXT",
        "{\"text\": \"a\"} | 400 | UNKNOWN_FIELD",
      })
  void batchMistakes(String body, int status, String code) {
    assertError(post("/api/v1/ner/batch", body.getBytes(StandardCharsets.UTF_8)), status, code);
  }

  @Test
  void anEmptyBodyIsMissing() {
    assertError(post("/api/v1/ner", new byte[0]), 400, "MISSING_BODY");
  }

  @Test
  void invalidUtf8IsMalformed() {
    byte[] body = {'{', '"', 't', 'e', 'x', 't', '"', ':', '"', (byte) 0xff, (byte) 0xfe, '"', '}'};
    assertError(post("/api/v1/ner", body), 400, "MALFORMED_JSON");
  }

  @Test
  void deepNestingIsRefused() {
    String body = "[".repeat(5_000) + "]".repeat(5_000);
    assertError(post("/api/v1/ner", body.getBytes(StandardCharsets.UTF_8)), 400, "INVALID_FIELD");
    String nested = "{\"text\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}";
    given()
        .contentType(ContentType.JSON)
        .body(nested)
        .post("/api/v1/ner")
        .then()
        .statusCode(400)
        .body("error.code", org.hamcrest.Matchers.oneOf("INVALID_FIELD", "MALFORMED_JSON"));
  }

  @Test
  void aTextOverTheLimitIs413() {
    String body = "{\"text\": \"" + "中".repeat(100_001) + "\"}";
    assertError(post("/api/v1/ner", body.getBytes(StandardCharsets.UTF_8)), 413, "TEXT_TOO_LONG");
  }

  @Test
  void aTextAtTheLimitIsAccepted() {
    String body = "{\"text\": \"" + "中".repeat(100_000) + "\"}";
    post("/api/v1/ner", body.getBytes(StandardCharsets.UTF_8)).statusCode(200);
  }

  @Test
  void tooManyTextsOrCharactersInABatchIs413() {
    String many = "{\"texts\": [" + "\"a\",".repeat(64) + "\"a\"]}";
    assertError(
        post("/api/v1/ner/batch", many.getBytes(StandardCharsets.UTF_8)), 413, "TOO_MANY_TEXTS");
    String item = "\"" + "中".repeat(90_000) + "\"";
    String longBatch = "{\"texts\": [" + item + "," + item + "," + item + "]}";
    assertError(
        post("/api/v1/ner/batch", longBatch.getBytes(StandardCharsets.UTF_8)),
        413,
        "BATCH_TOO_LONG");
  }

  @Test
  void aBodyOverTheLimitIs413() {
    byte[] body =
        ("{\"text\": \"" + "a".repeat(3 * 1024 * 1024) + "\"}").getBytes(StandardCharsets.UTF_8);
    assertError(post("/api/v1/ner", body), 413, "BODY_TOO_LARGE");
  }

  @Test
  void aChunkedBodyOverTheLimitIs413WithTheJsonBody() throws Exception {
    // No Content-Length: the limit can only be found while the body is read.
    String padding = "a".repeat(3 * 1024 * 1024);
    ChunkedPost.Answer answer =
        ChunkedPost.send(
            RestAssured.port, "/api/v1/ner", "{\"text\": \"" + padding + "\"}", 64 * 1024);
    assertThat(answer.status()).isEqualTo(413);
    assertThat(answer.header("content-type")).startsWith("application/json");
    assertThat(answer.header("connection")).isEqualToIgnoringCase("close");
    assertThat(answer.body())
        .contains("\"code\":\"BODY_TOO_LARGE\"")
        .contains("larger than 2097152 bytes");
  }

  @Test
  void aChunkedBodyWithinTheLimitGetsTheSameAnswerAsWithContentLength() throws Exception {
    String text = "李强在北京的新华社工作。".repeat(8_000); // 96,000 characters, ~290 KB of UTF-8
    String body = "{\"text\": \"" + text + "\"}";
    ChunkedPost.Answer chunked = ChunkedPost.send(RestAssured.port, "/api/v1/ner", body, 16 * 1024);
    assertThat(chunked.status()).isEqualTo(200);
    String withLength =
        post("/api/v1/ner", body.getBytes(StandardCharsets.UTF_8))
            .statusCode(200)
            .extract()
            .asString();
    assertThat(chunked.body()).isEqualTo(withLength).contains("\"entities\":[{");
  }

  @Test
  void aBodyThatIsNotJsonIs415() {
    assertError(
        given().contentType("text/plain").body("北京").post("/api/v1/ner").then(),
        415,
        "UNSUPPORTED_MEDIA_TYPE");
    assertError(
        given()
            .contentType("application/x-www-form-urlencoded")
            .formParam("text", "北京")
            .post("/api/v1/ner")
            .then(),
        415,
        "UNSUPPORTED_MEDIA_TYPE");
  }

  @Test
  void aWrongMethodIs405AndAnUnknownPathIs404() {
    assertError(given().get("/api/v1/ner").then(), 405, "METHOD_NOT_ALLOWED");
    assertError(given().delete("/api/v1/model").then(), 405, "METHOD_NOT_ALLOWED");
    assertError(given().get("/api/v1/nothing").then(), 404, "NOT_FOUND");
    assertError(
        given().contentType(ContentType.JSON).body("{}").post("/api/v2/ner").then(),
        404,
        "NOT_FOUND");
  }
}
