package dev.nersuite.ner.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers an over-sized body with the API's JSON 413 {@code BODY_TOO_LARGE}, both when {@code
 * Content-Length} announces it (refused before a byte of the body is read) and when a chunked body
 * crosses the limit while being read (the HTTP layer fails the request with 413). Thread-safe.
 */
@ApplicationScoped
public class BodySizeGuard {
  @ConfigProperty(name = "quarkus.http.limits.max-body-size")
  MemorySize maxBodySize;

  @Inject ObjectMapper mapper;

  void install(@Observes Router router) {
    long limit = maxBodySize.asLongValue();
    router
        .route()
        .order(Integer.MIN_VALUE)
        .handler(
            context -> {
              String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
              if (length != null && parses(length) > limit) {
                tooLarge(context, limit);
              } else {
                context.next();
              }
            });
    router.errorHandler(413, context -> tooLarge(context, limit));
  }

  private static long parses(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP layer itself rejects a malformed Content-Length
    }
  }

  private void tooLarge(RoutingContext context, long limit) {
    respond(
        context,
        413,
        ErrorResponse.of("BODY_TOO_LARGE", "the request body is larger than " + limit + " bytes"));
  }

  private void respond(RoutingContext context, int status, ErrorResponse error) {
    if (context.response().ended()) {
      return;
    }
    String body;
    try {
      body = mapper.writeValueAsString(error);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("an error body always serializes", e);
    }
    context
        .response()
        .setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        // The unread rest of the request would otherwise be parsed as the next request.
        .putHeader(HttpHeaders.CONNECTION, "close")
        .end(body);
  }
}
