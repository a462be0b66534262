package dev.nersuite.helm;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the freshly built ner-api really exposes on /q/metrics: the packaged application is started
 * once per test JVM, served a recognition, a batch and a bad request, scraped in the Prometheus
 * text format and stopped. Without ner-api's build output this fails, never skips. Thread-safe:
 * computed once, under the class lock, then immutable.
 */
final class LiveExposition {

  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{([^}]*)\\})? ", Pattern.MULTILINE);
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

  private static Map<String, Set<String>> series;

  private LiveExposition() {}

  /** Every sample name of the exposition, with the label names it carries. */
  static synchronized Map<String, Set<String>> series() {
    if (series == null) {
      series = parse(scrape());
    }
    return series;
  }

  static Map<String, Set<String>> parse(String exposition) {
    Map<String, Set<String>> names = new HashMap<>();
    Matcher sample = SAMPLE.matcher(exposition);
    while (sample.find()) {
      Set<String> labels = names.computeIfAbsent(sample.group(1), name -> new HashSet<>());
      if (sample.group(2) != null) {
        LABEL.matcher(sample.group(2)).results().forEach(label -> labels.add(label.group(1)));
      }
    }
    names.replaceAll((name, labels) -> Set.copyOf(labels));
    return Map.copyOf(names);
  }

  private static String scrape() {
    Path runner = RepositoryPaths.quarkusApp().resolve("quarkus-run.jar");
    if (!Files.isRegularFile(runner)) {
      fail(runner + " is missing: build ner-api first (`mvn -B -pl ner-api package`).");
    }
    Process process = null;
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      Path log = Files.createTempFile("ner-api-exposition", ".log");
      process =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-Dquarkus.http.port=" + port,
                  "-Dquarkus.http.host=127.0.0.1",
                  "-jar",
                  runner.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      String base = "http://127.0.0.1:" + port;
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (status(client, HttpRequest.newBuilder(URI.create(base + "/q/health/ready"))) != 200) {
        if (!process.isAlive() || System.nanoTime() > deadline) {
          fail("ner-api did not become ready; its log:\n" + Files.readString(log));
        }
        Thread.sleep(100);
      }
      for (String body :
          new String[] {
            "{\"text\":\"李明在北京大学读书。\"}", "{\"texts\":[\"上海\",\"张伟去了广州。\"]}", "{\"text\":\" \"}"
          }) {
        String path = body.contains("texts") ? "/api/v1/ner/batch" : "/api/v1/ner";
        status(
            client,
            HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
      }
      return client
          .send(
              HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                  .header("Accept", "text/plain")
                  .build(),
              HttpResponse.BodyHandlers.ofString())
          .body();
    } catch (IOException e) {
      throw new IllegalStateException("could not run ner-api", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    } finally {
      if (process != null) {
        process.destroyForcibly();
      }
    }
  }

  private static int status(HttpClient client, HttpRequest.Builder request)
      throws InterruptedException {
    try {
      return client
          .send(
              request.timeout(Duration.ofSeconds(30)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    }
  }
}
