package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A repeated text is answered from the cache with the same result, and counted as a hit. */
@QuarkusTest
class ResultCacheTest {

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void aRepeatedTextIsAHitWithTheSameEntities() {
    String text = "缓存测试：李明昨天在北京见到了王芳。" + System.nanoTime();
    double hitsBefore =
        ScrapedMetrics.value("cache_gets_total{cache=\"ner.results\",result=\"hit\"}");
    List<Object> first =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("text", text))
            .post("/api/v1/ner")
            .jsonPath()
            .getList("entities");
    List<Object> second =
        given()
            .contentType(ContentType.JSON)
            .body(Map.of("text", text))
            .post("/api/v1/ner")
            .jsonPath()
            .getList("entities");
    assertThat(second).isEqualTo(first);
    assertThat(ScrapedMetrics.value("cache_gets_total{cache=\"ner.results\",result=\"hit\"}"))
        .isEqualTo(hitsBefore + 1);
  }
}
