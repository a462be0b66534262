package dev.nersuite.ner.observability;

import java.io.IOException;
import java.util.List;

/**
 * Parses an OpenMetrics exposition with the strict parser of the Prometheus Python client (Debian's
 * {@code python3-prometheus-client}, which {@code .ci/run} installs; run by Debian's own
 * interpreter), the check that stands in for promtool's linter, which reads only the Prometheus
 * text format. Stateless and thread-safe.
 */
final class OpenMetricsParser {
  private static final String SCRIPT =
      "import sys\n"
          + "from prometheus_client.openmetrics.parser import text_string_to_metric_families\n"
          + "print(len(list(text_string_to_metric_families(sys.stdin.read()))))\n";

  private OpenMetricsParser() {}

  /**
   * The number of metric families in {@code exposition}.
   *
   * @throws AssertionError with the parser's message when the exposition is not valid OpenMetrics
   */
  static int families(String exposition) throws IOException, InterruptedException {
    Command.Result result =
        Command.run(
            List.of("/usr/bin/python3", "-c", SCRIPT),
            exposition,
            "install Debian's python3-prometheus-client (.ci/run does)");
    if (result.exitCode() != 0) {
      throw new AssertionError("not valid OpenMetrics:\n" + result.output());
    }
    return Integer.parseInt(result.output().strip());
  }
}
