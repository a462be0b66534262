package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The HTTP API on the embedded default model. */
@QuarkusTest
class NerResourceTest {
  static final String NEWS = "新华社北京3月5日电，国务院总理李强在人民大会堂作政府工作报告。";
  static final String MIXED = "😀张伟在Apple公司工作，2024年去了𠮷野家和ＡＢＣ银行。  上海\t浦东";

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  private static JsonPath recognize(String text) {
    return given()
        .contentType(ContentType.JSON)
        .body(Map.of("text", text))
        .post("/api/v1/ner")
        .then()
        .statusCode(200)
        .contentType(ContentType.JSON)
        .extract()
        .jsonPath();
  }

  /** Every entity's span is the text between its code-point offsets. */
  private static void assertSpansMatch(String text, List<Map<String, Object>> entities) {
    int[] codePoints = text.codePoints().toArray();
    int previousEnd = 0;
    for (Map<String, Object> entity : entities) {
      int start = (Integer) entity.get("start");
      int end = (Integer) entity.get("end");
      assertThat(start).isGreaterThanOrEqualTo(previousEnd);
      assertThat(end).isGreaterThan(start).isLessThanOrEqualTo(codePoints.length);
      assertThat(entity.get("span")).isEqualTo(new String(codePoints, start, end - start));
      assertThat(entity.get("type")).isIn("PER", "LOC", "ORG");
      assertThat(((Number) entity.get("prob")).doubleValue()).isBetween(0.0, 1.0);
      previousEnd = end;
    }
  }

  @Test
  void findsTheObviousEntitiesOfANewsSentence() {
    JsonPath body = recognize(NEWS);
    assertThat(body.getString("model")).isNotBlank();
    List<Map<String, Object>> entities = body.getList("entities");
    assertSpansMatch(NEWS, entities);
    assertThat(entities).extracting(e -> e.get("span")).contains("北京", "李强");
  }

  @Test
  void offsetsAreCodePointsOnEmojiAstralFullWidthAndWhitespace() {
    List<Map<String, Object>> entities = recognize(MIXED).getList("entities");
    assertThat(entities).isNotEmpty();
    assertSpansMatch(MIXED, entities);
  }

  @Test
  void batchResultsAreInInputOrderAndEqualSingleResults() {
    List<String> texts = List.of(MIXED, "北京", NEWS.repeat(3), "没有实体的句子。");
    JsonPath body =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("texts", texts))
            .post("/api/v1/ner/batch")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(body.getList("results")).hasSize(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      List<Map<String, Object>> batched = body.getList("results[" + i + "].entities");
      assertThat(batched).isEqualTo(recognize(texts.get(i)).getList("entities"));
      assertSpansMatch(texts.get(i), batched);
    }
  }

  @Test
  void aLongDocumentIsRecognizedWhole() {
    String document = (NEWS + "\n").repeat(600); // ~21,000 characters, far beyond one window
    List<Map<String, Object>> entities = recognize(document).getList("entities");
    assertSpansMatch(document, entities);
    // The last sentence's entities are found: nothing after the first window was dropped.
    int lastSentence = document.codePointCount(0, document.length()) - NEWS.length() - 1;
    assertThat(entities)
        .anySatisfy(e -> assertThat((Integer) e.get("start")).isGreaterThan(lastSentence));
  }

  @Test
  void describesTheModel() {
    given()
        .get("/api/v1/model")
        .then()
        .statusCode(200)
        .body("name", notNullValue())
        .body("labels", hasItems("O"))
        .body("entityTypes", hasItems("PER", "LOC", "ORG"))
        .body("limits.maxTextChars", equalTo(100000))
        .body("limits.maxBatchTexts", equalTo(64))
        .body("limits.maxBodyBytes", equalTo(2 * 1024 * 1024));
  }

  @Test
  void servesTheOpenApiDocument() {
    given()
        .get("/q/openapi?format=json")
        .then()
        .statusCode(200)
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/ner"))
        .body("paths", org.hamcrest.Matchers.hasKey("/api/v1/ner/batch"));
  }
}
