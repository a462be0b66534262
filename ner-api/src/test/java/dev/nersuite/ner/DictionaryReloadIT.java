package dev.nersuite.ner;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The dictionary is swapped under load the way Kubernetes updates a mounted ConfigMap (the {@code
 * ..data} symlink is replaced in one rename), in the packaged application: no request fails, and
 * every answer comes from one whole version of the dictionary, never a mix of two.
 */
class DictionaryReloadIT {
  /** Version A forces 深度求索 as ORG and suppresses 甲乙; version B forces 李明在京 and nothing else. */
  private static final String VERSION_A = "深度求索\tORG\n甲乙\t-\n";

  private static final String VERSION_B = "深度求索\tPER\n李明在京\tLOC\n";
  private static final String TEXT = "李明在京，甲乙在深度求索。";
  // the lookup model finds 李明 PER, 京 LOC, 甲乙 ORG
  private static final String ANSWER_A = "李明/PER/model 京/LOC/model 深度求索/ORG/dictionary";
  private static final String ANSWER_B = "李明在京/LOC/dictionary 甲乙/ORG/model 深度求索/PER/dictionary";

  @Test
  void swappingTheDictionaryUnderLoadFailsNoRequestAndNeverMixesVersions() throws Exception {
    // A ConfigMap volume: dictionary.tsv -> ..data/dictionary.tsv, ..data -> ..<timestamp>/
    Path volume = Files.createTempDirectory("configmap");
    Path first = writeVersion(volume, "..v0", VERSION_A);
    Files.createSymbolicLink(volume.resolve("..data"), first.getFileName());
    Files.createSymbolicLink(volume.resolve("dictionary.tsv"), Path.of("..data/dictionary.tsv"));

    try (PackagedApp app =
        PackagedApp.start(
            Map.of(
                "NER_MODEL_PATH",
                Path.of("src/test/resources/lookup-bundle").toAbsolutePath().toString(),
                "NER_DICTIONARY_PATH",
                volume.resolve("dictionary.tsv").toString(),
                "NER_DICTIONARY_RELOAD_INTERVAL",
                "200ms",
                "NER_CACHE_SIZE",
                "0"))) {
      app.awaitReady();
      awaitAnswer(app, ANSWER_A);

      Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
      AtomicInteger failures = new AtomicInteger();
      List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(12);
      ExecutorService clients = Executors.newFixedThreadPool(4);
      List<Future<?>> running = new ArrayList<>();
      for (int c = 0; c < 4; c++) {
        running.add(
            clients.submit(
                () -> {
                  while (System.nanoTime() < until) {
                    try {
                      String answer = recognize(app);
                      answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
                    } catch (Exception e) {
                      failures.incrementAndGet();
                      failed.add(e.toString());
                    }
                  }
                  return null;
                }));
      }
      int swaps = 0;
      while (System.nanoTime() < until - TimeUnit.SECONDS.toNanos(1)) {
        Thread.sleep(700);
        swaps++;
        Path next = writeVersion(volume, "..v" + swaps, swaps % 2 == 1 ? VERSION_B : VERSION_A);
        Path link = volume.resolve("..data_tmp");
        Files.createSymbolicLink(link, next.getFileName());
        Files.move(link, volume.resolve("..data"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      for (Future<?> future : running) {
        future.get(60, TimeUnit.SECONDS);
      }
      clients.shutdown();

      assertThat(failures.get()).as("failed requests: %s", failed).isZero();
      assertThat(answers.keySet()).as("answers seen").containsExactlyInAnyOrder(ANSWER_A, ANSWER_B);
      assertThat(answers.values().stream().mapToInt(AtomicInteger::get).sum()).isGreaterThan(100);
      assertThat(swaps).isGreaterThanOrEqualTo(10);
      assertThat(app.logText()).doesNotContain("refused");
    }
  }

  private static Path writeVersion(Path volume, String name, String content) throws Exception {
    Path dir = Files.createDirectory(volume.resolve(name));
    Files.writeString(dir.resolve("dictionary.tsv"), content);
    return dir;
  }

  /** One recognition, as "span/type/source" in text order; throws on anything but a 200. */
  private static String recognize(PackagedApp app) throws Exception {
    HttpResponse<String> response =
        app.client.send(
            HttpRequest.newBuilder(app.uri("/api/v1/ner"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"text\":\"" + TEXT + "\"}"))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(response.statusCode() + " " + response.body());
    }
    List<String> parts = new ArrayList<>();
    var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(response.body());
    for (var entity : json.path("entities")) {
      parts.add(
          entity.path("span").asText()
              + "/"
              + entity.path("type").asText()
              + "/"
              + entity.path("source").asText());
    }
    return String.join(" ", parts);
  }

  private static void awaitAnswer(PackagedApp app, String expected) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String answer = recognize(app);
    while (!answer.equals(expected)) {
      assertThat(System.nanoTime()).as("answer %s", answer).isLessThan(deadline);
      Thread.sleep(100);
      answer = recognize(app);
    }
  }
}
