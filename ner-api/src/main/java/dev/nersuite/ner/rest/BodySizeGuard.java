package dev.nersuite.ner.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers an over-sized body with the API's JSON 413 {@code BODY_TOO_LARGE}. A body whose {@code
 * Content-Length} announces it is refused here before a byte of it is read. A chunked body (no
 * length) is counted while it is read, by {@link BodyLimitReaderInterceptor}: Quarkus' own check
 * for those answers a bare 413 without a body, so this guard takes it out of the way. Thread-safe.
 */
@ApplicationScoped
public class BodySizeGuard {
  /** Where Quarkus' HTTP layer puts the body limit of a request without Content-Length. */
  static final String QUARKUS_MAX_REQUEST_SIZE_KEY = "io.quarkus.max-request-size";

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
    // Quarkus marks a request without Content-Length with its limit, to be enforced by the reader
    // of the body, which then answers a bare 413; BodyLimitReaderInterceptor enforces the same
    // limit with the JSON answer (ErrorResponsesTest sends such a body). Runs right after Quarkus'
    // handler, which has order ROUTE_ORDER_UPLOAD_LIMIT.
    router
        .route()
        .order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT + 1)
        .handler(
            context -> {
              context.remove(QUARKUS_MAX_REQUEST_SIZE_KEY);
              context.next();
            });
  }

  private static long parses(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP layer itself rejects a malformed Content-Length
    }
  }

  private void tooLarge(RoutingContext context, long limit) {
    respond(context, 413, ErrorResponse.of("BODY_TOO_LARGE", BodyTooLargeException.message(limit)));
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
