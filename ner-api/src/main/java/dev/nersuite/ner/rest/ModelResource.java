package dev.nersuite.ner.rest;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.service.NerService;
import io.quarkus.runtime.configuration.MemorySize;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Describes the served models and the limits. Thread-safe (stateless). */
@Path("/api/v1")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "model")
public class ModelResource {
  @Inject NerService service;
  @Inject NerConfig config;

  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize maxBodySize;

  /**
   * Answer of {@code GET /api/v1/models}.
   *
   * @param defaultModel the model requests get when they name none
   * @param models every served model
   */
  public record Models(
      @com.fasterxml.jackson.annotation.JsonProperty("default") String defaultModel,
      List<ModelInfo> models) {}

  @GET
  @Path("/model")
  @Operation(summary = "The default model: name, version, labels, entity types, limits")
  public ModelInfo describe() {
    return ModelInfo.of(service.defaultModelDescription(), true, limits());
  }

  @GET
  @Path("/models")
  @Operation(summary = "Every served model and which one is the default")
  public Models list() {
    String defaultName = service.defaultModel();
    return new Models(
        defaultName,
        service.models().stream()
            .map(m -> ModelInfo.of(m, m.name().equals(defaultName), limits()))
            .toList());
  }

  @GET
  @Path("/models/{name}")
  @Operation(summary = "One served model; 404 MODEL_NOT_FOUND for a name not served")
  public ModelInfo one(@PathParam("name") String name) {
    return ModelInfo.of(service.model(name), name.equals(service.defaultModel()), limits());
  }

  private ModelInfo.Limits limits() {
    NerConfig.Limits limits = config.limits();
    return new ModelInfo.Limits(
        limits.maxTextChars(),
        limits.maxBatchTexts(),
        limits.maxBatchChars(),
        maxBodySize.asLongValue());
  }
}
