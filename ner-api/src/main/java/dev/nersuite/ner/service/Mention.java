package dev.nersuite.ner.service;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.nersuite.ner.inference.Entity;

/**
 * One entity as the API returns it: the model's, or a user dictionary's. Offsets are Unicode code
 * points of the original text, end exclusive. Immutable.
 *
 * @param type entity type, e.g. PER, LOC, ORG
 * @param start first code point
 * @param end code point after the last one
 * @param span the text between start and end
 * @param prob for the model's entities the softmax of the emissions at the first position for the
 *     tag decoded there; 1.0 for the dictionary's
 * @param source who found it
 */
public record Mention(String type, int start, int end, String span, double prob, Source source) {

  /** Who found an entity. */
  public enum Source {
    /** The model. */
    MODEL("model"),
    /** A forced term of the user dictionary. */
    DICTIONARY("dictionary");

    private final String label;

    Source(String label) {
      this.label = label;
    }

    /** As it appears in JSON and metrics. */
    @JsonValue
    public String label() {
      return label;
    }
  }

  /** A model entity. */
  public static Mention of(Entity entity) {
    return new Mention(
        entity.type(), entity.start(), entity.end(), entity.span(), entity.prob(), Source.MODEL);
  }
}
