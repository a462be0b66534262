package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import dev.nersuite.ner.inference.TestBundles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user dictionary through the API, on the lookup model (whose answer is known: 京 LOC, 李明 PER,
 * 甲乙 ORG): forced terms, suppressed spans, {@code "dictionary": false}, reloading when the file
 * changes, and a bad file that leaves the one in force.
 */
@QuarkusTest
@TestProfile(DictionaryTest.Profile.class)
class DictionaryTest {
  static final Path FILE;

  static {
    try {
      FILE = Files.createTempDirectory("ner-dictionary").resolve("dictionary.tsv");
      Files.writeString(FILE, "# test dictionary\n深度求索\tORG\n甲乙\t-\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lookup model alone, the dictionary file above, checked every 100 ms. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "ner.model.path", TestBundles.resource("lookup-bundle").toString(),
          "ner.dictionary.path", FILE.toString(),
          "ner.dictionary.reload-interval", "100ms");
    }
  }

  @BeforeEach
  void ready() throws IOException {
    Readiness.await();
    write("# test dictionary\n深度求索\tORG\n甲乙\t-\n");
    awaitStatus(s -> s.getInt("entries") == 2 && s.get("lastError") == null);
  }

  private static void write(String content) throws IOException {
    // as a ConfigMap update does: a new file moved over the old one in one step
    Path next = FILE.resolveSibling("next.tsv");
    Files.writeString(next, content);
    Files.move(
        next,
        FILE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  private static JsonPath status() {
    return given().get("/api/v1/dictionary").then().statusCode(200).extract().jsonPath();
  }

  private static JsonPath awaitStatus(Predicate<JsonPath> done) {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(10).toNanos();
    JsonPath status = status();
    while (!done.test(status)) {
      assertThat(System.nanoTime())
          .as("dictionary status %s", status.prettify())
          .isLessThan(deadline);
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      status = status();
    }
    return status;
  }

  private static List<Map<String, Object>> entities(String text, Boolean dictionary) {
    Map<String, Object> body =
        dictionary == null ? Map.of("text", text) : Map.of("text", text, "dictionary", dictionary);
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/ner")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath()
        .getList("entities");
  }

  @Test
  void forcedTermsAreAddedAndSuppressedSpansRemoved() {
    String text = "😀李明在深度求索见甲乙，在京。";
    List<Map<String, Object>> entities = entities(text, null);
    assertThat(entities)
        .extracting(e -> e.get("span") + "/" + e.get("type") + "/" + e.get("source"))
        .containsExactly("李明/PER/model", "深度求索/ORG/dictionary", "京/LOC/model");
    Map<String, Object> forced = entities.get(1);
    assertThat(forced.get("start")).isEqualTo(4); // code points: 😀 is one
    assertThat(forced.get("end")).isEqualTo(8);
    assertThat(((Number) forced.get("prob")).doubleValue()).isEqualTo(1.0);
    // the model's output alone
    assertThat(entities(text, false))
        .extracting(e -> e.get("span") + "/" + e.get("source"))
        .containsExactly("李明/model", "甲乙/model", "京/model");
  }

  @Test
  void aForcedTermReplacesTheModelEntitiesItOverlaps() throws IOException {
    write("李明在京\tORG\n");
    awaitStatus(s -> s.getInt("entries") == 1);
    assertThat(entities("李明在京", null))
        .extracting(e -> e.get("span") + "/" + e.get("type") + "/" + e.get("source"))
        .containsExactly("李明在京/ORG/dictionary");
  }

  @Test
  void statusSaysWhatIsInForceAndABadFileLeavesIt() throws IOException {
    JsonPath before = status();
    assertThat(before.getBoolean("configured")).isTrue();
    assertThat(before.getString("sha256")).hasSize(64);
    assertThat(before.getString("loadedAt")).isNotBlank();
    given().get("/api/v1/dictionary").then().body("lastError", nullValue());

    write("深度求索\tORG\n上海\tCITY\n");
    JsonPath refused = awaitStatus(s -> s.getString("lastError") != null);
    assertThat(refused.getString("lastError")).startsWith("line 2: unknown type 'CITY'");
    assertThat(refused.getString("sha256")).isEqualTo(before.getString("sha256"));
    assertThat(refused.getInt("entries")).isEqualTo(2);
    // still the old dictionary
    assertThat(entities("甲乙", null)).isEmpty();

    write("甲乙\tPER\n");
    awaitStatus(s -> s.get("lastError") == null && s.getInt("entries") == 1);
    assertThat(entities("甲乙", null))
        .extracting(e -> e.get("type") + "/" + e.get("source"))
        .containsExactly("PER/dictionary");
    assertThat(ScrapedMetrics.value("ner_dictionary_entries")).isEqualTo(1.0);
    assertThat(ScrapedMetrics.value("ner_dictionary_reloads_total{result=\"refused\"}"))
        .isPositive();
  }

  @Test
  void theDictionaryAppliesToBatchesAndLongWindowedTexts() {
    String filler = "的".repeat(37); // the lookup model's windows hold 30 pieces
    String text = (filler + "深度求索").repeat(5);
    List<Map<String, Object>> entities = entities(text, null);
    assertThat(entities).hasSize(5).allMatch(e -> "dictionary".equals(e.get("source")));
    assertThat(entities.get(4).get("start")).isEqualTo(4 * 41 + 37);
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("texts", List.of("深度求索", "甲乙")))
        .post("/api/v1/ner/batch")
        .then()
        .statusCode(200)
        .body("results[0].entities[0].source", equalTo("dictionary"))
        .body("results[1].entities.size()", equalTo(0));
  }
}
