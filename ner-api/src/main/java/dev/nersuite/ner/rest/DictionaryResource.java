package dev.nersuite.ner.rest;

import dev.nersuite.ner.dictionary.DictionaryService;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Says which user dictionary is in force. Thread-safe (stateless). */
@Path("/api/v1/dictionary")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "dictionary")
public class DictionaryResource {
  @Inject DictionaryService dictionary;

  @GET
  @Operation(
      summary =
          "The user dictionary in force: terms, sha256, when it was loaded, why the last version"
              + " was refused")
  public DictionaryService.Status status() {
    return dictionary.status();
  }
}
