package dev.nersuite.ner.observability;

import java.io.IOException;
import java.util.List;

/**
 * Runs Debian's real {@code promtool} ({@code apt-get install prometheus}; {@code .ci/run} installs
 * it). Stateless and thread-safe.
 */
final class Promtool {
  private Promtool() {}

  /** What {@code promtool check metrics} said about an exposition. */
  record Result(int exitCode, List<String> lines) {}

  /** {@code promtool check metrics < exposition}: exit code and every line it printed. */
  static Result checkMetrics(String exposition) throws IOException, InterruptedException {
    Command.Result result =
        Command.run(
            List.of("promtool", "check", "metrics"),
            exposition,
            "install Debian's prometheus package (.ci/run does)");
    return new Result(
        result.exitCode(), result.output().lines().filter(line -> !line.isBlank()).toList());
  }
}
