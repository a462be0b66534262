package dev.nersuite.ner.rest;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Answers any unknown path under {@code /api} with the API's JSON 404, instead of the static-file
 * handler's HTML page. More specific resources always win. Thread-safe (stateless).
 */
@Path("/api/{path: .*}")
@Produces(MediaType.APPLICATION_JSON)
public class UnknownApiPathResource {

  @GET
  @Operation(hidden = true)
  public Response get() {
    return notFound();
  }

  @POST
  @Operation(hidden = true)
  public Response post() {
    return notFound();
  }

  @PUT
  @Operation(hidden = true)
  public Response put() {
    return notFound();
  }

  @DELETE
  @Operation(hidden = true)
  public Response delete() {
    return notFound();
  }

  @PATCH
  @Operation(hidden = true)
  public Response patch() {
    return notFound();
  }

  private static Response notFound() {
    return ErrorMappers.error(404, "NOT_FOUND", "no such endpoint; see /q/openapi");
  }
}
