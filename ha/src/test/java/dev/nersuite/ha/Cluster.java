package dev.nersuite.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;

/**
 * N ner-api replicas and the nginx gateway in front of them, all real processes on loopback, plus
 * the reference results of the news corpus. Everything is stopped by {@link #close()}, and by a JVM
 * shutdown hook if the tests never get there. Not thread-safe: one test thread drives it.
 */
final class Cluster implements AutoCloseable {
  /**
   * Every replica's JVM options: like one pod of the Helm chart on this 2-core machine (half the 1
   * GiB memory limit as heap, exit on OOM), with one ONNX Runtime thread and one inference worker
   * so N replicas share the cores instead of fighting over them.
   */
  static final List<String> REPLICA_OPTIONS =
      List.of(
          // Heap fixed and touched at start, as containers often run: resident memory then grows
          // only off the heap (ONNX Runtime, threads, code), where the JVM cannot see a leak.
          "-Xms512m",
          "-Xmx512m",
          "-XX:+AlwaysPreTouch",
          "-XX:+ExitOnOutOfMemoryError",
          "-Dner.inference.intra-op-threads=1",
          "-Dner.inference.workers=1",
          // The corpus is a few dozen sentences sent thousands of times: with the result cache on,
          // nearly every request would be a cache hit and the faults would meet an idle model.
          // Real traffic is mostly new texts, so every request here runs the model.
          "-Dner.cache.size=0",
          // The health check logs every DOWN probe at INFO; at 10 probes a second that drowns the
          // log.
          "-Dquarkus.log.category.\"io.smallrye.health\".level=WARN");

  static final Duration START_TIMEOUT = Duration.ofSeconds(120);
  static final Duration STOP_TIMEOUT = Duration.ofSeconds(45);

  private final Path dir;
  private final Path runner;
  private final List<ReplicaProcess> replicas = new ArrayList<>();
  private NginxGateway gateway;
  private NewsCorpus corpus;

  private Cluster(Path dir, Path runner) {
    this.dir = dir;
    this.runner = runner;
  }

  /**
   * Starts {@code settings.replicas()} replicas (with {@code extraOptions}) and the gateway, waits
   * until every replica is ready, and takes the reference results from the first one.
   */
  static Cluster start(HaSettings settings, String name, List<String> extraOptions) {
    Path dir = settings.workDir().resolve(name);
    Cluster cluster = new Cluster(dir, copyRunner(settings.quarkusApp(), dir.resolve("runner")));
    try {
      List<Integer> ports = FreePorts.allocate(settings.replicas() + 1);
      for (int i = 0; i < settings.replicas(); i++) {
        cluster.replicas.add(
            new ReplicaProcess(
                "replica-" + (i + 1),
                ports.get(i),
                cluster.runner.resolve("quarkus-run.jar"),
                dir,
                REPLICA_OPTIONS));
      }
      cluster.startAll(extraOptions);
      cluster.gateway =
          NginxGateway.start(
              dir.resolve("nginx"),
              ports.get(settings.replicas()),
              cluster.replicas.stream().map(ReplicaProcess::port).toList(),
              settings.retry503());
      cluster.corpus = NewsCorpus.referenceFrom(cluster.replicas.get(0).uri("/api/v1/ner"));
      return cluster;
    } catch (RuntimeException | Error e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * A private copy of ner-api's packaged application: the replicas restart from it during a run,
   * and a rebuild of ner-api meanwhile must not swap jars under them.
   */
  private static Path copyRunner(Path quarkusApp, Path target) {
    try {
      deleteTree(target.getParent());
      Files.createDirectories(target);
      try (Stream<Path> files = Files.walk(quarkusApp)) {
        for (Path source : files.toList()) {
          Path copy = target.resolve(quarkusApp.relativize(source).toString());
          if (Files.isDirectory(source)) {
            Files.createDirectories(copy);
          } else {
            Files.copy(source, copy, StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy " + quarkusApp, e);
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> files = Files.walk(root)) {
      for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(path);
      }
    }
  }

  /** Starts every replica at once and waits until all are ready. */
  void startAll(List<String> extraOptions) {
    for (ReplicaProcess replica : replicas) {
      replica.start(extraOptions);
    }
    ExecutorService waiters = Executors.newFixedThreadPool(replicas.size());
    try {
      List<Future<Duration>> ready = new ArrayList<>();
      for (ReplicaProcess replica : replicas) {
        ready.add(waiters.submit(() -> replica.awaitReady(START_TIMEOUT)));
      }
      for (Future<Duration> future : ready) {
        future.get();
      }
    } catch (Exception e) {
      throw new IllegalStateException("replicas did not all become ready: " + e.getMessage(), e);
    } finally {
      waiters.shutdownNow();
    }
  }

  /** Stops every replica gracefully, then starts them again with other options. */
  void restartAll(List<String> extraOptions) {
    for (ReplicaProcess replica : replicas) {
      replica.terminate(STOP_TIMEOUT);
    }
    startAll(extraOptions);
    gateway.reload(); // forget the failures nginx counted while the replicas were down
  }

  /**
   * A replica outside the gateway's upstream, on its own port, not started yet; the caller closes
   * it.
   */
  ReplicaProcess spare(String name) {
    return new ReplicaProcess(
        name,
        FreePorts.allocate(1).get(0),
        runner.resolve("quarkus-run.jar"),
        dir,
        REPLICA_OPTIONS);
  }

  List<ReplicaProcess> replicas() {
    return replicas;
  }

  NginxGateway gateway() {
    return gateway;
  }

  NewsCorpus corpus() {
    return corpus;
  }

  Path dir() {
    return dir;
  }

  Path runner() {
    return runner;
  }

  /** The largest resident memory among the running replicas, in MiB. */
  long maxRssMiB() {
    return replicas.stream().mapToLong(ReplicaProcess::rssKiB).max().orElse(-1) / 1024;
  }

  @Override
  public void close() {
    if (gateway != null) {
      gateway.close();
    }
    // In parallel: each may take the shutdown delay (3 s) plus its drain.
    replicas.parallelStream().forEach(ReplicaProcess::close);
  }
}
