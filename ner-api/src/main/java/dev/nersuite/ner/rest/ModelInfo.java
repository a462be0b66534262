package dev.nersuite.ner.rest;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.nersuite.ner.service.ModelDescription;
import java.util.List;

/**
 * What {@code GET /api/v1/model} and {@code GET /api/v1/models/{name}} answer.
 *
 * @param name model name
 * @param version model version
 * @param isDefault whether requests that name no model get this one (JSON {@code default})
 * @param description what the model is
 * @param architecture e.g. bert-crf
 * @param labels labels in id order
 * @param entityTypes the entity types it finds
 * @param scheme tagging scheme
 * @param maxWordPieces longest window in word-pieces
 * @param normalization text normalisation before tokenizing
 * @param serving how this replica runs it
 * @param limits what a client may send
 * @param provenance where the model comes from
 * @param evaluation its measured figures
 */
public record ModelInfo(
    String name,
    String version,
    @JsonProperty("default") boolean isDefault,
    String description,
    String architecture,
    List<String> labels,
    List<String> entityTypes,
    String scheme,
    int maxWordPieces,
    String normalization,
    Serving serving,
    Limits limits,
    JsonNode provenance,
    JsonNode evaluation) {

  /**
   * How this replica runs the model.
   *
   * @param intraOpThreads ONNX Runtime threads per call
   * @param workers threads running batches
   * @param maxBatchTokens most padded tokens per ONNX Runtime call
   * @param windowPieces longest window of a long text, in word-pieces
   */
  public record Serving(int intraOpThreads, int workers, int maxBatchTokens, int windowPieces) {}

  /**
   * Client limits.
   *
   * @param maxTextChars longest text, in code points
   * @param maxBatchTexts most texts per batch
   * @param maxBatchChars most code points per batch
   * @param maxBodyBytes largest request body
   */
  public record Limits(int maxTextChars, int maxBatchTexts, int maxBatchChars, long maxBodyBytes) {}

  static ModelInfo of(ModelDescription model, boolean isDefault, Limits limits) {
    return new ModelInfo(
        model.name(),
        model.version(),
        isDefault,
        model.description(),
        model.architecture(),
        model.labels(),
        model.entityTypes(),
        model.scheme(),
        model.maxWordPieces(),
        model.normalization(),
        new Serving(
            model.serving().intraOpThreads(),
            model.serving().workers(),
            model.serving().maxBatchTokens(),
            model.serving().windowPieces()),
        limits,
        model.provenance(),
        model.evaluation());
  }
}
