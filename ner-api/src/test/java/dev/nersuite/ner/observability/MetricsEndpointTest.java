package dev.nersuite.ner.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ner.observability.MetricsEndpoint.Format;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Content negotiation of /q/metrics, without the service. */
class MetricsEndpointTest {

  @ParameterizedTest(name = "Accept: {0} -> {1}")
  @CsvSource(
      delimiter = '|',
      nullValues = "NONE",
      value = {
        "NONE                                                          | TEXT",
        "*/*                                                           | TEXT",
        "text/plain                                                    | TEXT",
        "text/plain; version=0.0.4; charset=utf-8                      | TEXT",
        "text/html,application/xhtml+xml,*/*;q=0.8                     | TEXT",
        "application/openmetrics-text                                  | OPENMETRICS",
        "application/openmetrics-text; version=1.0.0; charset=utf-8    | OPENMETRICS",
        // What Prometheus 2.x sends when scraping.
        "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1 | OPENMETRICS",
        "text/plain;q=0.9, application/openmetrics-text;q=0.8          | TEXT",
        "text/plain;q=0.5, application/openmetrics-text                | OPENMETRICS",
        "application/openmetrics-text;version=9.9.9, text/plain;q=0.1 | TEXT",
        "application/openmetrics-text;q=0, text/plain;q=0.1            | TEXT",
        "application/json                                              | NONE",
        "application/openmetrics-text;q=0                              | NONE",
        "text/plain;q=abc                                              | NONE",
      })
  void picksTheAcceptableFormatWithTheHighestQuality(String accept, String expected) {
    Optional<Format> format = MetricsEndpoint.negotiate(accept);

    if (expected == null) {
      assertThat(format).isEmpty();
    } else {
      assertThat(format).contains(Format.valueOf(expected));
    }
  }
}
