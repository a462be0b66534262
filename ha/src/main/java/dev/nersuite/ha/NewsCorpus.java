package dev.nersuite.ha;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The news sentences the load driver sends, with the entities one replica found for each at the
 * start of the run: recognition is deterministic, so every later answer, from any replica, must be
 * exactly these. Immutable once built and thread-safe.
 */
public final class NewsCorpus {
  /** Probabilities are compared with this tolerance; everything else must be equal. */
  public static final double PROB_TOLERANCE = 1e-6;

  /** One entity of a response. */
  public record Entity(String type, int start, int end, String span, double prob) {
    public boolean sameAs(Entity other) {
      return type.equals(other.type)
          && start == other.start
          && end == other.end
          && span.equals(other.span)
          && Math.abs(prob - other.prob) <= PROB_TOLERANCE;
    }
  }

  private final List<String> sentences;
  private final Map<String, List<Entity>> expected;
  private final String model;

  private NewsCorpus(List<String> sentences, Map<String, List<Entity>> expected, String model) {
    this.sentences = sentences;
    this.expected = expected;
    this.model = model;
  }

  /** The fixture's sentences (one per line, '#' comments). */
  public static List<String> loadSentences() {
    try (InputStream in = NewsCorpus.class.getResourceAsStream("/corpus/news-zh.txt")) {
      if (in == null) {
        throw new IllegalStateException("corpus/news-zh.txt missing from the test resources");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8)
          .lines()
          .map(String::strip)
          .filter(line -> !line.isEmpty() && !line.startsWith("#"))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Asks one replica for every sentence's entities, at {@code nerEndpoint} (its {@code
   * /api/v1/ner}; straight to a replica in ha/, through the Ingress in e2e/, where every replica
   * runs the same image).
   */
  public static NewsCorpus referenceFrom(URI nerEndpoint) {
    List<String> sentences = loadSentences();
    Map<String, List<Entity>> expected = new LinkedHashMap<>();
    String model = null;
    for (String sentence : sentences) {
      JsonNode body = recognizeDirectly(nerEndpoint, sentence);
      model = body.path("model").asText();
      expected.put(sentence, parseEntities(body.path("entities")));
    }
    return new NewsCorpus(sentences, Map.copyOf(expected), model);
  }

  private static JsonNode recognizeDirectly(URI uri, String sentence) {
    try {
      HttpResponse<String> response =
          ControlClient.postJson(
              uri,
              ControlClient.JSON.writeValueAsString(Map.of("text", sentence)),
              Duration.ofSeconds(30));
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "reference call failed with " + response.statusCode() + ": " + response.body());
      }
      return ControlClient.JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Parses an {@code entities} array; throws on anything that is not a well-formed entity. */
  public static List<Entity> parseEntities(JsonNode array) {
    if (!array.isArray()) {
      throw new IllegalArgumentException("entities is not an array: " + array);
    }
    List<Entity> entities = new ArrayList<>();
    for (JsonNode node : array) {
      if (!node.path("type").isTextual()
          || !node.path("start").isInt()
          || !node.path("end").isInt()
          || !node.path("span").isTextual()
          || !node.path("prob").isNumber()) {
        throw new IllegalArgumentException("malformed entity: " + node);
      }
      entities.add(
          new Entity(
              node.get("type").asText(),
              node.get("start").asInt(),
              node.get("end").asInt(),
              node.get("span").asText(),
              node.get("prob").asDouble()));
    }
    return entities;
  }

  public static boolean same(List<Entity> expected, List<Entity> actual) {
    if (expected.size() != actual.size()) {
      return false;
    }
    for (int i = 0; i < expected.size(); i++) {
      if (!expected.get(i).sameAs(actual.get(i))) {
        return false;
      }
    }
    return true;
  }

  public List<String> sentences() {
    return sentences;
  }

  public List<Entity> expected(String sentence) {
    List<Entity> entities = expected.get(sentence);
    if (entities == null) {
      throw new IllegalArgumentException("not a corpus sentence: " + sentence);
    }
    return entities;
  }

  public String model() {
    return model;
  }

  public int totalEntities() {
    return expected.values().stream().mapToInt(List::size).sum();
  }
}
