package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.nersuite.ner.inference.ModelBundle;
import dev.nersuite.ner.inference.TestBundles;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several models in one server: every embedded bundle plus the lookup bundle from a directory, the
 * lookup one as the default. Each model answers with its own name, version and results, has its own
 * metrics, and the per-request controls filter what comes back.
 */
@QuarkusTest
@TestProfile(MultiModelTest.Profile.class)
class MultiModelTest {
  static final String LOOKUP = "lookup-test";
  static final String TEXT = "李明在京，甲乙在京。"; // the lookup model: PER 李明, LOC 京 x2, ORG 甲乙

  /** The embedded bundles and the lookup bundle, which is the default. */
  public static class Profile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "ner.models.directories",
          TestBundles.resource("lookup-bundle").toString(),
          "ner.models.default",
          LOOKUP);
    }
  }

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  private static JsonPath post(Map<String, Object> body) {
    return given()
        .contentType(ContentType.JSON)
        .body(body)
        .post("/api/v1/ner")
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  private static Map<String, Object> body(Object... keysAndValues) {
    Map<String, Object> body = new HashMap<>();
    body.put("text", TEXT);
    for (int i = 0; i < keysAndValues.length; i += 2) {
      body.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return body;
  }

  @Test
  void modelsListsEveryServedModelAndTheDefault() {
    JsonPath models = given().get("/api/v1/models").then().statusCode(200).extract().jsonPath();
    List<String> expected = new java.util.ArrayList<>(ModelBundle.embeddedNames());
    expected.add(LOOKUP);
    assertThat(models.getString("default")).isEqualTo(LOOKUP);
    assertThat(models.getList("models.name", String.class)).containsExactlyElementsOf(expected);
    assertThat(models.getList("models.default", Boolean.class))
        .containsExactlyElementsOf(expected.stream().map(LOOKUP::equals).toList());
    for (String name : expected) {
      given()
          .get("/api/v1/models/" + name)
          .then()
          .statusCode(200)
          .body("name", equalTo(name))
          .body("entityTypes", equalTo(List.of("LOC", "ORG", "PER")));
    }
    given().get("/api/v1/model").then().statusCode(200).body("name", equalTo(LOOKUP));
  }

  @Test
  void anUnknownModelIs404OnItsInfoAnd400OnARequest() {
    given()
        .get("/api/v1/models/no-such-model")
        .then()
        .statusCode(404)
        .body("error.code", equalTo("MODEL_NOT_FOUND"));
    given()
        .contentType(ContentType.JSON)
        .body(body("model", "no-such-model"))
        .post("/api/v1/ner")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("UNKNOWN_MODEL"));
    given()
        .contentType(ContentType.JSON)
        .body(Map.of("texts", List.of(TEXT), "model", "no-such-model"))
        .post("/api/v1/ner/batch")
        .then()
        .statusCode(400)
        .body("error.code", equalTo("UNKNOWN_MODEL"));
  }

  @Test
  void eachModelAnswersWithItsOwnNameVersionAndResults() {
    JsonPath lookup = post(body());
    assertThat(lookup.getString("model")).isEqualTo(LOOKUP);
    assertThat(lookup.getString("modelVersion")).isEqualTo("1");
    assertThat(lookup.getList("entities.span", String.class)).containsExactly("李明", "京", "甲乙", "京");
    assertThat(lookup.getList("entities.source", String.class)).containsOnly("model");
    for (String name : ModelBundle.embeddedNames()) {
      JsonPath embedded = post(body("model", name));
      assertThat(embedded.getString("model")).isEqualTo(name);
      assertThat(embedded.getString("modelVersion"))
          .isEqualTo(ModelBundle.embedded(name).metadata().version());
    }
    JsonPath batch =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("texts", List.of(TEXT, "京"), "model", LOOKUP))
            .post("/api/v1/ner/batch")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(batch.getString("model")).isEqualTo(LOOKUP);
    assertThat(batch.getList("results[1].entities.span", String.class)).containsExactly("京");
  }

  @Test
  void typesAndMinProbOnlyChooseWhichEntitiesReturn() {
    List<Map<String, Object>> all = post(body()).getList("entities");
    assertThat(post(body("types", List.of("LOC"))).getList("entities.span", String.class))
        .containsExactly("京", "京");
    assertThat(post(body("types", List.of("PER", "ORG"))).getList("entities.span", String.class))
        .containsExactly("李明", "甲乙");
    assertThat(post(body("minProb", 0)).getList("entities")).isEqualTo(all);
    // a threshold between two of the probabilities the compact model gives a news sentence
    String compact = ModelBundle.embeddedNames().get(0);
    Map<String, Object> news = Map.of("text", NerResourceTest.NEWS, "model", compact);
    List<Double> probs = post(news).getList("entities.prob", Double.class);
    List<Double> distinct = probs.stream().distinct().sorted().toList();
    assertThat(distinct).as("the news sentence's entities differ in prob").hasSizeGreaterThan(1);
    int middle = distinct.size() / 2;
    double threshold = (distinct.get(middle - 1) + distinct.get(middle)) / 2; // never equal to one
    Map<String, Object> filtered = new HashMap<>(news);
    filtered.put("minProb", threshold);
    List<Double> kept = post(filtered).getList("entities.prob", Double.class);
    assertThat(kept).isNotEmpty().allMatch(p -> p >= threshold);
    assertThat(kept).hasSize((int) probs.stream().filter(p -> p >= threshold).count());
    assertThat(kept.size()).isLessThan(probs.size());
    JsonPath batch =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("texts", List.of(TEXT, TEXT), "types", List.of("ORG")))
            .post("/api/v1/ner/batch")
            .then()
            .statusCode(200)
            .extract()
            .jsonPath();
    assertThat(batch.getList("results.entities.span"))
        .containsExactly(List.of("甲乙"), List.of("甲乙"));
  }

  @Test
  void badControlsAre400InvalidField() {
    Object[][] bad = {
      {"types", List.of()},
      {"types", List.of("PER", "TIME")},
      {"types", "PER"},
      {"minProb", 1.5},
      {"minProb", -0.1},
      {"minProb", "0.5"},
      {"minProb", true},
      {"dictionary", "no"},
      {"dictionary", 0},
      {"model", 7},
    };
    for (Object[] field : bad) {
      given()
          .contentType(ContentType.JSON)
          .body(body(field))
          .post("/api/v1/ner")
          .then()
          .statusCode(400)
          .body("error.code", equalTo("INVALID_FIELD"));
    }
  }

  @Test
  void metricsCarryTheModelLabel() {
    post(body());
    post(body("model", ModelBundle.embeddedNames().get(0)));
    String metrics = given().get("/q/metrics").asString();
    for (String name : List.of(LOOKUP, ModelBundle.embeddedNames().get(0))) {
      assertThat(metrics).contains("ner_inference_seconds_count{model=\"" + name + "\"");
      assertThat(metrics).contains("ner_queue_depth{model=\"" + name + "\"");
    }
    assertThat(metrics)
        .contains("ner_entities_total{model=\"" + LOOKUP + "\",source=\"model\",type=\"PER\"");
  }
}
