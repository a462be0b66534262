package dev.nersuite.ner.observability;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.nersuite.ner.rest.ErrorResponse;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Locale;
import java.util.Optional;

/**
 * Serves {@code /q/metrics} in the format the client asks for, by the rules of HTTP content
 * negotiation: OpenMetrics for {@code Accept: application/openmetrics-text} (with or without
 * parameters, as Prometheus sends it), the Prometheus text format for {@code text/plain}, {@code
 * *}{@code /*} or no {@code Accept} at all, the format with the higher {@code q} when both are
 * acceptable, and a JSON 406 when neither is. Thread-safe (stateless).
 *
 * <p>Why not Quarkus' own handler (which still serves the path's other methods): it answers {@code
 * Accept: application/openmetrics-text} with 406 unless the header repeats its media type
 * parameters exactly, and answers {@code *}{@code /*} (curl's default) with OpenMetrics, whose
 * {@code \"} escapes in help texts the Prometheus text parser rejects. So {@code curl /q/metrics |
 * promtool check metrics} failed (docs/adr/0007-observability.md).
 */
@ApplicationScoped
public class MetricsEndpoint {
  /** Where the metrics are served (Quarkus' default, which the chart's ServiceMonitor scrapes). */
  public static final String PATH = "/q/metrics";

  /** Before Quarkus' own metrics routes, which have order 1. */
  static final int ROUTE_ORDER = 0;

  /** The formats this endpoint writes. */
  enum Format {
    TEXT(TextFormat.CONTENT_TYPE_004),
    OPENMETRICS(TextFormat.CONTENT_TYPE_OPENMETRICS_100);

    final String contentType;

    Format(String contentType) {
      this.contentType = contentType;
    }
  }

  @Inject PrometheusMeterRegistry registry;
  @Inject ObjectMapper mapper;

  void install(@Observes Router router) throws JsonProcessingException {
    String notAcceptable =
        mapper.writeValueAsString(
            ErrorResponse.of(
                "NOT_ACCEPTABLE",
                "metrics are served as text/plain (Prometheus) or application/openmetrics-text"));
    router
        .route(HttpMethod.GET, PATH)
        .order(ROUTE_ORDER)
        .handler(
            context -> {
              Optional<Format> format = negotiate(context.request().getHeader(HttpHeaders.ACCEPT));
              if (format.isEmpty()) {
                context
                    .response()
                    .setStatusCode(406)
                    .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(notAcceptable);
                return;
              }
              String contentType = format.get().contentType;
              context
                  .response()
                  .putHeader(HttpHeaders.CONTENT_TYPE, contentType)
                  .putHeader(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                  .end(registry.scrape(contentType));
            });
  }

  /**
   * The format for an {@code Accept} header: the acceptable one with the highest {@code q}; on a
   * tie, the one named first. Empty when neither is acceptable.
   */
  static Optional<Format> negotiate(String accept) {
    if (accept == null || accept.isBlank()) {
      return Optional.of(Format.TEXT);
    }
    Format best = null;
    double bestQuality = 0;
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double quality = 1;
      String version = null;
      for (int i = 1; i < parts.length; i++) {
        String[] parameter = parts[i].split("=", 2);
        String name = parameter[0].trim().toLowerCase(Locale.ROOT);
        String value = parameter.length > 1 ? parameter[1].trim() : "";
        if (name.equals("q")) {
          quality = quality(value);
        } else if (name.equals("version")) {
          version = value;
        }
      }
      Format format =
          switch (type) {
            // OpenMetrics 1.0.0 is what the registry writes; 0.0.1 is its draft, which Prometheus
            // also asks for and parses the same way.
            case "application/openmetrics-text" ->
                version == null || version.equals("1.0.0") || version.equals("0.0.1")
                    ? Format.OPENMETRICS
                    : null;
            case "text/plain" -> version == null || version.equals("0.0.4") ? Format.TEXT : null;
            case "text/*", "*/*" -> Format.TEXT;
            default -> null;
          };
      if (format != null && quality > bestQuality) {
        best = format;
        bestQuality = quality;
      }
    }
    return Optional.ofNullable(best);
  }

  private static double quality(String value) {
    try {
      double quality = Double.parseDouble(value);
      return quality >= 0 && quality <= 1 ? quality : 0;
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
