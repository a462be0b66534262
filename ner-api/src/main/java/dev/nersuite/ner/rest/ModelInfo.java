package dev.nersuite.ner.rest;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * Answer of {@code GET /api/v1/model}.
 *
 * @param name model name
 * @param version model version
 * @param description what the model is
 * @param architecture e.g. bert-crf
 * @param labels labels in id order
 * @param entityTypes the entity types it finds
 * @param scheme tagging scheme
 * @param maxWordPieces longest window in word-pieces
 * @param normalization text normalisation before tokenizing
 * @param limits what a client may send
 * @param provenance where the model comes from
 * @param evaluation its measured figures
 */
public record ModelInfo(
    String name,
    String version,
    String description,
    String architecture,
    List<String> labels,
    List<String> entityTypes,
    String scheme,
    int maxWordPieces,
    String normalization,
    Limits limits,
    JsonNode provenance,
    JsonNode evaluation) {

  /**
   * Client limits.
   *
   * @param maxTextChars longest text, in code points
   * @param maxBatchTexts most texts per batch
   * @param maxBatchChars most code points per batch
   * @param maxBodyBytes largest request body
   */
  public record Limits(int maxTextChars, int maxBatchTexts, int maxBatchChars, long maxBodyBytes) {}
}
