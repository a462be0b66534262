package dev.nersuite.ner.rest;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.inference.ModelMetadata;
import dev.nersuite.ner.inference.TagScheme;
import dev.nersuite.ner.service.NerService;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Objects;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Describes the served model and the limits. Thread-safe (stateless). */
@Path("/api/v1/model")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "model")
public class ModelResource {
  @Inject NerService service;
  @Inject NerConfig config;

  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize maxBodySize;

  @GET
  @Operation(summary = "The served model: name, version, labels, entity types, limits")
  public ModelInfo describe() {
    ModelMetadata metadata = service.recognizer().metadata();
    NerConfig.Limits limits = config.limits();
    return new ModelInfo(
        metadata.name(),
        metadata.version(),
        metadata.description(),
        metadata.architecture(),
        metadata.labels(),
        metadata.labels().stream()
            .map(label -> TagScheme.parse(label).type())
            .filter(Objects::nonNull)
            .distinct()
            .sorted()
            .toList(),
        metadata.scheme(),
        metadata.maxWordPieces(),
        metadata.normalization() == null ? "none" : metadata.normalization(),
        new ModelInfo.Limits(
            limits.maxTextChars(),
            limits.maxBatchTexts(),
            limits.maxBatchChars(),
            maxBodySize.asLongValue()),
        metadata.provenance(),
        metadata.evaluation());
  }
}
