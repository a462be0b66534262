package dev.nersuite.helm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs Debian's real {@code promtool} on rule files ({@code apt-get install prometheus}; {@code
 * .ci/run} installs it). A missing promtool fails the test, never skips it. Stateless and
 * thread-safe.
 */
final class Promtool {
  private Promtool() {}

  /** Exit code and everything promtool printed. */
  record Result(int exitCode, String output) {
    boolean passed() {
      return exitCode == 0;
    }
  }

  /** {@code promtool check rules FILE}. */
  static Result checkRules(Path rules) throws IOException, InterruptedException {
    return run(List.of("check", "rules", rules.toString()), rules.getParent());
  }

  /**
   * {@code promtool test rules FILE}, run in the test file's directory (rule_files are relative).
   */
  static Result testRules(Path tests) throws IOException, InterruptedException {
    return run(List.of("test", "rules", tests.getFileName().toString()), tests.getParent());
  }

  private static Result run(List<String> arguments, Path directory)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add("promtool");
    command.addAll(arguments);
    Process process;
    try {
      process =
          new ProcessBuilder(command)
              .directory(directory.toFile())
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      throw new AssertionError(
          "promtool not found: install Debian's prometheus package (.ci/run does)", e);
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("promtool " + arguments + " did not finish within 120 s");
    }
    return new Result(process.exitValue(), output);
  }
}
