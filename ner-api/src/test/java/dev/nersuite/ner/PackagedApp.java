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
 * for the *IT tests. Not thread-safe; {@link #close} kills what is still running.
 */
public final class PackagedApp implements AutoCloseable {
  public final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  public final Path log;
  public final int port;
  public final Process process;

  private PackagedApp(Path log, int port, Process process) {
    this.log = log;
    this.port = port;
    this.process = process;
  }

  /** Starts the application with extra environment variables, its output in a temporary log. */
  public static PackagedApp start(Map<String, String> environment) throws IOException {
    Path runner = Path.of("target/quarkus-app/quarkus-run.jar");
    assertThat(runner).as("run `mvn package` first").exists();
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
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
    return new PackagedApp(log, port, builder.start());
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  /** The status of a GET, or -1 when nothing answers. */
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
      assertThat(process.isAlive()).as("process exited; log: %s", logText()).isTrue();
      assertThat(System.nanoTime()).as("ready within 120 s").isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  public String logText() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroyForcibly();
    }
  }
}
