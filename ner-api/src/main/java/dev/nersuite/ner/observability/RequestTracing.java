package dev.nersuite.ner.observability;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Starts the {@link RequestTrace} of a recognition request. Tracing is off unless the OpenTelemetry
 * SDK is switched on ({@code quarkus.otel.sdk.disabled=false}, with an OTLP endpoint); then the
 * spans go wherever Quarkus' exporter sends them. Thread-safe.
 */
@ApplicationScoped
public class RequestTracing {
  @Inject Tracer tracer;

  /**
   * A trace whose spans are children of the calling thread's current span (the HTTP request's); one
   * that records nothing when that span is not sampled, which includes tracing being off.
   */
  public RequestTrace start() {
    Context parent = Context.current();
    if (!Span.fromContext(parent).getSpanContext().isSampled()) {
      return RequestTrace.none();
    }
    return new RequestTrace(tracer, parent, System.nanoTime());
  }
}
