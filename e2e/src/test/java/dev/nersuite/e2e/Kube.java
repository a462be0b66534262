package dev.nersuite.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real kubectl of the cluster's version against its admin kubeconfig, plus the few host
 * commands a scenario needs (containerd's {@code ctr}, {@code kill}). Thread-safe (each call is its
 * own process).
 */
final class Kube {
  static final ObjectMapper JSON = new ObjectMapper();

  /** One command's end. */
  record Result(int exitCode, String out, String err) {
    boolean ok() {
      return exitCode == 0;
    }
  }

  private final E2eSettings settings;

  Kube(E2eSettings settings) {
    this.settings = settings;
  }

  /** kubectl with these arguments; throws with its stderr when it fails. */
  String kubectl(String... args) {
    Result result = tryKubectl(Duration.ofMinutes(10), args);
    if (!result.ok()) {
      throw new IllegalStateException(
          "kubectl "
              + String.join(" ", args)
              + " failed ("
              + result.exitCode()
              + "): "
              + result.err());
    }
    return result.out();
  }

  /** kubectl with these arguments, within {@code timeout}; the caller judges the exit code. */
  Result tryKubectl(Duration timeout, String... args) {
    List<String> command = new ArrayList<>();
    command.add(settings.kubectl().toString());
    command.add("--kubeconfig=" + settings.kubeconfig());
    command.addAll(List.of(args));
    return run(command, timeout);
  }

  /** {@code kubectl get ... -o json} in the release's namespace. */
  JsonNode get(String... what) {
    List<String> args = new ArrayList<>(List.of("-n", settings.namespace(), "get"));
    args.addAll(List.of(what));
    args.add("-o");
    args.add("json");
    try {
      return JSON.readTree(kubectl(args.toArray(String[]::new)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A raw API path ({@code kubectl get --raw}) as JSON. */
  JsonNode raw(String path) {
    try {
      return JSON.readTree(kubectl("get", "--raw", path));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Any host command, within {@code timeout}. */
  static Result run(List<String> command, Duration timeout) {
    try {
      Path out = Files.createTempFile("e2e-cmd", ".out");
      Path err = Files.createTempFile("e2e-cmd", ".err");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
          process.destroyForcibly().waitFor();
          return new Result(-1, read(out), "timed out after " + timeout.toSeconds() + " s");
        }
        return new Result(process.exitValue(), read(out), read(err));
      } finally {
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }
}
