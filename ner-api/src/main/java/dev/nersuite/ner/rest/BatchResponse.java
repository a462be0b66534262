package dev.nersuite.ner.rest;

import dev.nersuite.ner.inference.Entity;
import java.util.List;

/**
 * Answer of {@code POST /api/v1/ner/batch}.
 *
 * @param model name of the model that answered
 * @param results one per input text, in input order
 */
public record BatchResponse(String model, List<Result> results) {

  /**
   * The entities of one text.
   *
   * @param entities the mentions found, in text order
   */
  public record Result(List<Entity> entities) {}
}
