package dev.nersuite.ha;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;

/**
 * A model bundle whose {@code model.onnx} is a FIFO: a replica loading it blocks until {@link
 * #feed}, as behind a slow model volume. Not thread-safe.
 */
final class HeldBackModel {
  private final Cluster cluster;

  HeldBackModel(Cluster cluster) {
    this.cluster = cluster;
  }

  /** A model bundle directory whose model.onnx is a FIFO: loading it blocks until {@link #feed}. */
  Path bundle() {
    Path bundle = cluster.dir().resolve("held-back-bundle");
    try {
      Files.createDirectories(bundle);
      Files.deleteIfExists(bundle.resolve("model.onnx"));
      Files.write(bundle.resolve("ner-model.json"), embeddedBundleFile("ner-model.json"));
      Files.write(bundle.resolve("tokenizer.json"), embeddedBundleFile("tokenizer.json"));
      Process mkfifo =
          new ProcessBuilder("mkfifo", bundle.resolve("model.onnx").toString()).inheritIO().start();
      if (!mkfifo.waitFor(10, TimeUnit.SECONDS) || mkfifo.exitValue() != 0) {
        throw new IllegalStateException("mkfifo failed");
      }
      return bundle;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * A file of the default model bundle embedded in ner-api's application jar (the one the replicas
   * serve): the first bundle that {@code ner-models/index.txt} lists.
   */
  private byte[] embeddedBundleFile(String name) throws IOException {
    try (Stream<Path> jars = Files.list(cluster.runner().resolve("app"))) {
      Path jar =
          jars.filter(p -> p.toString().endsWith(".jar"))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalStateException("no application jar in " + cluster.runner()));
      try (JarFile file = new JarFile(jar.toFile())) {
        String entryName = "ner-models/" + defaultBundle(file, jar) + "/" + name;
        ZipEntry entry = file.getEntry(entryName);
        if (entry == null) {
          throw new IllegalStateException(jar + " has no embedded " + entryName);
        }
        return file.getInputStream(entry).readAllBytes();
      }
    }
  }

  private static String defaultBundle(JarFile file, Path jar) throws IOException {
    ZipEntry index = file.getEntry("ner-models/index.txt");
    if (index == null) {
      throw new IllegalStateException(jar + " has no ner-models/index.txt");
    }
    String text = new String(file.getInputStream(index).readAllBytes(), StandardCharsets.UTF_8);
    return text.lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(jar + ": ner-models/index.txt lists none"));
  }

  /** Writes the model into the FIFO (the replica is blocked reading it). */
  void feed(Path fifo) {
    byte[] model;
    try {
      model = embeddedBundleFile("model.onnx");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Thread writer =
        new Thread(
            () -> {
              try (OutputStream out = Files.newOutputStream(fifo)) {
                out.write(model);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "ha-model-feeder");
    writer.setDaemon(
        true); // blocked forever only if the replica died; the scenario then fails anyway
    writer.start();
    try {
      writer.join(Duration.ofSeconds(60).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (writer.isAlive()) {
      throw new IllegalStateException("the replica did not read its model within 60 s");
    }
  }

  static void awaitLive(ReplicaProcess replica) {
    long deadline = System.nanoTime() + Cluster.START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (!replica.isAlive()) {
        throw new IllegalStateException(replica.name() + " exited:\n" + replica.logTail(30));
      }
      if (ControlClient.status(replica.uri("/q/health/live"), Duration.ofSeconds(2)) == 200) {
        return;
      }
      ReplicaProcess.sleep(ReplicaProcess.PROBE_INTERVAL);
    }
    throw new IllegalStateException(replica.name() + " never answered /q/health/live");
  }
}
