package dev.nersuite.ner.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's real {@code promtool} ({@code apt-get install prometheus}; {@code .ci/run} installs
 * it). A missing promtool fails the test that needs it, never skips it. Stateless and thread-safe.
 */
final class Promtool {
  private Promtool() {}

  /** What {@code promtool check metrics} said about an exposition. */
  record Result(int exitCode, List<String> lines) {}

  /** {@code promtool check metrics < exposition}: exit code and every line it printed. */
  static Result checkMetrics(String exposition) throws IOException, InterruptedException {
    Process process;
    try {
      process =
          new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool not found: install Debian's prometheus package (.ci/run does)", e);
    }
    try (var stdin = process.getOutputStream()) {
      stdin.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool check metrics did not finish within 60 s");
    }
    return new Result(process.exitValue(), output.lines().filter(l -> !l.isBlank()).toList());
  }
}
