package dev.nersuite.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One real ner-api process ({@code java -jar quarkus-run.jar}) on a fixed loopback port, which can
 * be stopped (SIGTERM), killed (SIGKILL) and started again on the same port, as an orchestrator
 * would. Its output goes to one log file across restarts. Not thread-safe: one scenario thread
 * drives it; {@link #rssKiB()} and {@link #isAlive()} may be called from any thread.
 */
final class ReplicaProcess implements AutoCloseable {
  /** The replicas' scheduling priority relative to the load driver and the gateway. */
  static final int NICENESS = 10;

  /** How often readiness is probed, as a kubelet or a fast balancer would. */
  static final Duration PROBE_INTERVAL = Duration.ofMillis(100);

  private final String name;
  private final int port;
  private final Path runnerJar;
  private final Path log;
  private final List<String> baseOptions;
  private volatile Process process;

  ReplicaProcess(String name, int port, Path runnerJar, Path logDir, List<String> baseOptions) {
    this.name = name;
    this.port = port;
    this.runnerJar = runnerJar;
    this.log = logDir.resolve(name + ".log");
    this.baseOptions = List.copyOf(baseOptions);
  }

  String name() {
    return name;
  }

  int port() {
    return port;
  }

  /** The {@code host:port} nginx logs as this replica's upstream address. */
  String upstreamAddress() {
    return "127.0.0.1:" + port;
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** Starts the process; {@code extraOptions} are JVM options added for this start only. */
  void start(List<String> extraOptions) {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running");
    }
    List<String> command = new ArrayList<>();
    // In production the clients and the gateway run on other machines. Here they share two cores
    // with the replicas; at a lower priority the replicas still get every cycle the driver and
    // nginx leave, but cannot starve them and so distort what they measure. (nice execs java: the
    // process is java itself, signals and /proc reach it directly.)
    command.addAll(List.of("nice", "-n", Integer.toString(NICENESS)));
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(baseOptions);
    command.addAll(extraOptions);
    command.add("-Dquarkus.http.host=127.0.0.1");
    command.add("-Dquarkus.http.port=" + port);
    command.add("-jar");
    command.add(runnerJar.toString());
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    // Only what the command line says configures the replica, not the caller's environment.
    builder
        .environment()
        .keySet()
        .removeIf(key -> key.startsWith("NER_") || key.startsWith("QUARKUS_"));
    builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Files.writeString(
          log,
          "---- " + Instant.now() + " start: " + String.join(" ", command) + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
      process = ProcessReaper.register(builder.start());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + name, e);
    }
  }

  boolean isAlive() {
    Process current = process;
    return current != null && current.isAlive();
  }

  /** The status of {@code /q/health/ready}, -1 when nothing answers. */
  int readiness() {
    return ControlClient.status(uri("/q/health/ready"), Duration.ofSeconds(2));
  }

  /**
   * Waits until {@code /q/health/ready} answers 200.
   *
   * @return how long it took
   * @throws IllegalStateException if the process exits or the timeout passes first
   */
  Duration awaitReady(Duration timeout) {
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!isAlive()) {
        throw new IllegalStateException(name + " exited before it was ready:\n" + logTail(30));
      }
      if (readiness() == 200) {
        return Duration.ofNanos(System.nanoTime() - started);
      }
      sleep(PROBE_INTERVAL);
    }
    throw new IllegalStateException(
        name + " not ready after " + timeout.toSeconds() + " s:\n" + logTail(30));
  }

  /** Graceful stop, as Kubernetes does: SIGTERM, then waits for the process to exit. */
  Duration terminate(Duration timeout) {
    return stop(false, timeout);
  }

  /** Crash: SIGKILL, then waits for the process to be gone. */
  Duration kill(Duration timeout) {
    return stop(true, timeout);
  }

  private Duration stop(boolean forcibly, Duration timeout) {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return Duration.ZERO;
    }
    long started = System.nanoTime();
    if (forcibly) {
      current.destroyForcibly(); // SIGKILL on Linux
    } else {
      current.destroy(); // SIGTERM on Linux
    }
    try {
      if (!current.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        current.destroyForcibly();
        current.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(
            name
                + " did not exit within "
                + timeout.toSeconds()
                + " s of "
                + (forcibly ? "SIGKILL" : "SIGTERM"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      current.destroyForcibly();
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /** Resident memory of the process in KiB (VmRSS), or -1 when it is not running. */
  long rssKiB() {
    Process current = process;
    if (current == null || !current.isAlive()) {
      return -1;
    }
    try {
      for (String line :
          Files.readAllLines(Path.of("/proc", Long.toString(current.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | NumberFormatException e) {
      return -1; // exited between the check and the read
    }
    return -1;
  }

  /** The whole log of this replica (all starts). */
  String logText() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  String logTail(int lines) {
    List<String> all = logText().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  @Override
  public void close() {
    try {
      stop(false, Duration.ofSeconds(40));
    } catch (RuntimeException e) {
      stop(true, Duration.ofSeconds(10));
    }
  }

  static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public String toString() {
    return name + "@" + port;
  }
}
