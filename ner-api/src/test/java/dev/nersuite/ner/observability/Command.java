package dev.nersuite.ner.observability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line tool on some input: exit code and everything it printed. A tool that is not
 * installed fails the test with {@code install}'s advice, never skips it. Stateless and
 * thread-safe.
 */
final class Command {
  private Command() {}

  /** Exit code and output (stdout and stderr together). */
  record Result(int exitCode, String output) {}

  static Result run(List<String> command, String stdin, String install)
      throws IOException, InterruptedException {
    Process process;
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new AssertionError(command.get(0) + " not found: " + install, e);
    }
    try (var input = process.getOutputStream()) {
      input.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(command + " did not finish within 60 s");
    }
    return new Result(process.exitValue(), output);
  }
}
