package dev.nersuite.ner.rest;

import dev.nersuite.ner.observability.RequestLogFilter;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;
import java.util.List;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Hands {@link RequestLogFilter} what only the REST layer knows: the model that answered (from the
 * response body, so the resources need no logging code) and, when {@code ner.logging.texts} is on,
 * the texts of the request. Thread-safe (stateless; the data goes to the request's own context).
 */
@Provider
public class RequestLogDetails implements ReaderInterceptor {
  @Inject CurrentVertxRequest request;
  @Inject RequestLogFilter log;

  @Override
  public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
    Object body = context.proceed();
    RoutingContext routing = request.getCurrent();
    if (routing != null) {
      if (body instanceof NerRequest single && single.text() != null) {
        log.texts(routing, List.of(single.text()));
      } else if (body instanceof BatchRequest batch && batch.texts() != null) {
        log.texts(routing, batch.texts());
      }
    }
    return body;
  }

  @ServerResponseFilter
  public void model(ContainerResponseContext response) {
    RoutingContext routing = request.getCurrent();
    if (routing == null) {
      return;
    }
    Object entity = response.getEntity();
    if (entity instanceof NerResponse single) {
      RequestLogFilter.model(routing, single.model());
    } else if (entity instanceof BatchResponse batch) {
      RequestLogFilter.model(routing, batch.model());
    }
  }
}
