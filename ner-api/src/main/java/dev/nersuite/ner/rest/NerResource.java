package dev.nersuite.ner.rest;

import dev.nersuite.ner.service.InvalidRequestException;
import dev.nersuite.ner.service.NerService;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Named-entity recognition endpoints. Thread-safe (stateless). */
@Path("/api/v1/ner")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "ner")
public class NerResource {
  @Inject NerService service;

  // Not @Blocking: admission runs on the event loop so overload is refused at once; the service
  // moves tokenizing and decoding to worker threads.
  @POST
  @Operation(summary = "Find PER/LOC/ORG mentions in one text; offsets are code points")
  public Uni<NerResponse> recognize(NerRequest request) {
    if (request == null) {
      throw new InvalidRequestException(
          400, "MISSING_BODY", "a JSON body {\"text\": ...} is required");
    }
    return service
        .recognize(request.text(), request.options())
        .map(r -> new NerResponse(r.model(), r.modelVersion(), r.results().get(0)));
  }

  @POST
  @Path("/batch")
  @Operation(summary = "Find mentions in each of several texts; results in input order")
  public Uni<BatchResponse> recognizeBatch(BatchRequest request) {
    if (request == null) {
      throw new InvalidRequestException(
          400, "MISSING_BODY", "a JSON body {\"texts\": [...]} is required");
    }
    return service
        .recognizeBatch(request.texts(), request.options())
        .map(
            r ->
                new BatchResponse(
                    r.model(),
                    r.modelVersion(),
                    r.results().stream().map(BatchResponse.Result::new).toList()));
  }
}
