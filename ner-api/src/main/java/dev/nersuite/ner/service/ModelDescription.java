package dev.nersuite.ner.service;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nersuite.ner.inference.ModelMetadata;
import java.util.List;

/**
 * What the API says about a served model. Immutable.
 *
 * @param name model name
 * @param version model version
 * @param description what the model is
 * @param architecture e.g. bert-crf, bigru-crf
 * @param labels labels in id order
 * @param entityTypes the entity types it finds
 * @param scheme tagging scheme
 * @param maxWordPieces longest window in word-pieces
 * @param normalization text normalisation before tokenizing
 * @param serving how this replica runs it
 * @param provenance where the model comes from
 * @param evaluation its measured figures
 */
public record ModelDescription(
    String name,
    String version,
    String description,
    String architecture,
    List<String> labels,
    List<String> entityTypes,
    String scheme,
    int maxWordPieces,
    String normalization,
    ModelPipeline.Settings serving,
    JsonNode provenance,
    JsonNode evaluation) {

  static ModelDescription of(ModelMetadata metadata, ModelPipeline.Settings settings) {
    return new ModelDescription(
        metadata.name(),
        metadata.version(),
        metadata.description(),
        metadata.architecture(),
        metadata.labels(),
        metadata.entityTypes(),
        metadata.scheme(),
        metadata.maxWordPieces(),
        metadata.normalization() == null ? "none" : metadata.normalization(),
        settings,
        metadata.provenance(),
        metadata.evaluation());
  }
}
