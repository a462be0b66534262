package dev.nersuite.ner.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.service.Admission;
import dev.nersuite.ner.service.ServiceUnavailableException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Refuses recognition requests with the API's 503 {@code OVERLOADED} while the service is at its
 * in-flight bound, before their body is parsed. Under overload most requests are refused; the less
 * a refusal costs, the more CPU is left to the admitted ones (the benchmark's 2x overload point
 * measures both). The answer is the one {@link ErrorMappers} gives for the same refusal later in
 * the pipeline. Thread-safe.
 */
@ApplicationScoped
public class OverloadGuard {
  /** After the body-size checks ({@link BodySizeGuard}), before the REST layer. */
  static final int ROUTE_ORDER = 1;

  @Inject Admission admission;
  @Inject NerConfig config;
  @Inject ObjectMapper mapper;

  void install(@Observes Router router) throws JsonProcessingException {
    ServiceUnavailableException overloaded = ServiceUnavailableException.overloaded();
    Buffer body =
        Buffer.buffer(
            mapper.writeValueAsBytes(ErrorResponse.of(overloaded.code(), overloaded.getMessage())));
    String retryAfter = Integer.toString(config.inference().retryAfterSeconds());
    router
        .routeWithRegex(HttpMethod.POST, "/api/v1/ner(/batch)?")
        .order(ROUTE_ORDER)
        .handler(
            context -> {
              if (!admission.refusesForCapacity()) {
                context.next();
                return;
              }
              // Answer once the body has arrived (read, not parsed): answering earlier would leave
              // its rest on a kept-alive connection, where a gateway's next request waits behind
              // it.
              HttpServerRequest request = context.request();
              Runnable refuse =
                  () ->
                      context
                          .response()
                          .setStatusCode(503)
                          .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                          .putHeader(HttpHeaders.RETRY_AFTER, retryAfter)
                          .end(body);
              if (request.isEnded()) {
                refuse.run();
              } else {
                request.handler(ignored -> {}).endHandler(ended -> refuse.run()).resume();
              }
            });
  }
}
