package dev.nersuite.ner.rest;

import dev.nersuite.ner.service.Mention;
import java.util.List;

/**
 * Answer of {@code POST /api/v1/ner/batch}.
 *
 * @param model name of the model that answered
 * @param modelVersion its version
 * @param results one per input text, in input order
 */
public record BatchResponse(String model, String modelVersion, List<Result> results) {

  /**
   * The entities of one text.
   *
   * @param entities the mentions found, in text order
   */
  public record Result(List<Mention> entities) {}
}
