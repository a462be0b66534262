package dev.nersuite.ner.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.service.InvalidRequestException;
import dev.nersuite.ner.service.ServiceUnavailableException;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps every failure to the API's JSON error body with a stable code. A client's mistake is a 4xx
 * that says what was wrong; only a fault of the service itself is a 500, and it never carries a
 * stack trace. Thread-safe (stateless).
 */
public class ErrorMappers {
  private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

  /**
   * Refusals decided by the model's state, counted here as {@code ner_rejected_total{reason}}: no
   * other place sees them all. OVERLOADED and TIMEOUT are counted where they are decided.
   */
  static final Set<String> MODEL_STATE_REFUSALS = Set.of("NOT_READY", "SHUTTING_DOWN");

  @Inject NerConfig config;
  @Inject MeterRegistry registry;

  @ServerExceptionMapper
  public Response invalidRequest(InvalidRequestException e) {
    return error(e.status(), e.code(), e.getMessage());
  }

  @ServerExceptionMapper
  public Response unavailable(ServiceUnavailableException e) {
    if (MODEL_STATE_REFUSALS.contains(e.code())) {
      // decided before a model is chosen: model=""
      registry
          .counter("ner.rejected", "model", "", "reason", e.code().toLowerCase(Locale.ROOT))
          .increment();
    }
    return Response.status(503)
        .header(HttpHeaders.RETRY_AFTER, config.inference().retryAfterSeconds())
        .entity(ErrorResponse.of(e.code(), e.getMessage()))
        .type(MediaType.APPLICATION_JSON)
        .build();
  }

  @ServerExceptionMapper
  public Response bodyTooLarge(BodyTooLargeException e) {
    return Response.status(413)
        .entity(ErrorResponse.of("BODY_TOO_LARGE", e.getMessage()))
        .type(MediaType.APPLICATION_JSON)
        // The rest of the body is not read: the connection cannot carry another request.
        .header("Connection", "close")
        .build();
  }

  @ServerExceptionMapper
  public Response unknownField(UnrecognizedPropertyException e) {
    return error(
        400,
        "UNKNOWN_FIELD",
        "unknown field '"
            + e.getPropertyName()
            + "'; known fields: "
            + e.getKnownPropertyIds().stream()
                .map(Object::toString)
                .collect(Collectors.joining(", ")));
  }

  @ServerExceptionMapper
  public Response wrongType(MismatchedInputException e) {
    String field =
        e.getPath().stream()
            .map(
                reference ->
                    reference.getFieldName() != null
                        ? reference.getFieldName()
                        : "[" + reference.getIndex() + "]")
            .collect(Collectors.joining("."))
            .replace(".[", "[");
    String message =
        field.isEmpty()
            ? "the body must be a JSON object"
            : "'" + field + "' has the wrong type (" + expected(e) + " expected)";
    return error(400, "INVALID_FIELD", message);
  }

  private static String expected(MismatchedInputException e) {
    Class<?> target = e.getTargetType();
    if (target == null) {
      return "another type";
    }
    if (target == String.class) {
      return "a string";
    }
    if (target == Double.class || target == double.class) {
      return "a number";
    }
    if (target == Boolean.class || target == boolean.class) {
      return "true or false";
    }
    if (java.util.Collection.class.isAssignableFrom(target)) {
      return "an array of strings";
    }
    return "an object";
  }

  @ServerExceptionMapper
  public Response tooComplex(StreamConstraintsException e) {
    return error(400, "MALFORMED_JSON", "the JSON body is too deeply nested or too large a value");
  }

  @ServerExceptionMapper
  public Response malformed(JsonProcessingException e) {
    return error(400, "MALFORMED_JSON", "the body is not valid JSON: " + e.getOriginalMessage());
  }

  @ServerExceptionMapper
  public Response http(WebApplicationException e) {
    // The JSON reader wraps Jackson's failures in a plain 400: answer with the precise error.
    for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
      if (cause instanceof BodyTooLargeException tooLarge) {
        return bodyTooLarge(tooLarge);
      }
      if (cause instanceof UnrecognizedPropertyException unknown) {
        return unknownField(unknown);
      }
      if (cause instanceof MismatchedInputException mismatched) {
        return wrongType(mismatched);
      }
      if (cause instanceof StreamConstraintsException constraints) {
        return tooComplex(constraints);
      }
      if (cause instanceof JsonProcessingException json) {
        return malformed(json);
      }
    }
    int status = e.getResponse().getStatus();
    String code =
        switch (status) {
          case 400 -> "BAD_REQUEST";
          case 404 -> "NOT_FOUND";
          case 405 -> "METHOD_NOT_ALLOWED";
          case 406 -> "NOT_ACCEPTABLE";
          case 413 -> "BODY_TOO_LARGE";
          case 415 -> "UNSUPPORTED_MEDIA_TYPE";
          default -> status >= 500 ? "INTERNAL_ERROR" : "HTTP_" + status;
        };
    String message =
        switch (status) {
          case 404 -> "no such endpoint; see /q/openapi";
          case 405 -> "this method is not allowed on this endpoint";
          case 406 -> "the API answers application/json only";
          case 415 -> "the body must be sent as Content-Type: application/json";
          default -> status >= 500 ? "internal error" : e.getMessage();
        };
    if (status >= 500) {
      LOG.error("request failed", e);
    }
    Response.ResponseBuilder response = Response.status(status);
    if (status == 405 && e.getResponse().getHeaderString(HttpHeaders.ALLOW) != null) {
      response.header(HttpHeaders.ALLOW, e.getResponse().getHeaderString(HttpHeaders.ALLOW));
    }
    return response
        .entity(ErrorResponse.of(code, message))
        .type(MediaType.APPLICATION_JSON)
        .build();
  }

  @ServerExceptionMapper
  public Response unexpected(Throwable e) {
    LOG.error("request failed", e);
    return error(500, "INTERNAL_ERROR", "internal error");
  }

  static Response error(int status, String code, String message) {
    return Response.status(status)
        .entity(ErrorResponse.of(code, message))
        .type(MediaType.APPLICATION_JSON)
        .build();
  }
}
