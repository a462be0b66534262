package dev.nersuite.ner;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application ({@code target/quarkus-app}) as a real process on a free loopback port,
 * its output in a file. Not thread-safe: one test thread drives one instance.
 */
public final class PackagedApp implements AutoCloseable {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final Process process;
  private final int port;
  private final Path log;

  private PackagedApp(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  /** Starts the application with extra environment variables; its output goes to a temp file. */
  public static PackagedApp start(Map<String, String> environment) throws IOException {
    Path runner = Path.of("target/quarkus-app/quarkus-run.jar");
    assertThat(runner).as("run `mvn package` first").exists();
    int port = freePort();
    Path log = Files.createTempFile("ner-api", ".log");
    ProcessBuilder builder =
        new ProcessBuilder(
                System.getProperty("java.home") + "/bin/java",
                "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1",
                "-jar",
                runner.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    builder.environment().putAll(environment);
    return new PackagedApp(builder.start(), port, log);
  }

  /** A free loopback port. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  public Process process() {
    return process;
  }

  public int port() {
    return port;
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  public HttpClient client() {
    return client;
  }

  /** Everything the process printed so far. */
  public String log() throws IOException {
    return Files.readString(log);
  }

  /** The status of a GET, or -1 when the process does not answer. */
  public int status(String path) {
    try {
      return client
          .send(
              HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  /** Waits until the process reports ready, failing if it exits or takes over 120 s. */
  public void awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (status("/q/health/ready") != 200) {
      assertThat(process.isAlive()).as("process exited; log: %s", log()).isTrue();
      assertThat(System.nanoTime()).as("ready within 120 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
