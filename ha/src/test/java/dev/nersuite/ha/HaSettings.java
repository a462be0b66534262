package dev.nersuite.ha;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Where the harness finds ner-api and writes its files, and the knobs of a run, read once from
 * system properties (Maven passes them; {@code -Dha.soak.seconds=60} on the command line
 * overrides). Immutable and thread-safe.
 *
 * @param quarkusApp ner-api's packaged application directory ({@code quarkus-app})
 * @param workDir where processes, configs and logs of a run go (kept for post-mortems)
 * @param reportDir where the figures table is written
 * @param replicas ner-api processes behind the gateway
 * @param soak how long the soak scenario runs
 * @param retry503 how the gateway retries a replica's 503
 */
record HaSettings(
    Path quarkusApp,
    Path workDir,
    Path reportDir,
    int replicas,
    Duration soak,
    NginxGateway.Retry503 retry503) {

  static HaSettings fromSystemProperties() {
    Path root = Path.of(System.getProperty("nersuite.root", "..")).toAbsolutePath().normalize();
    Path quarkusApp =
        Path.of(
                System.getProperty(
                    "ha.quarkusApp", root.resolve("ner-api/target/quarkus-app").toString()))
            .toAbsolutePath()
            .normalize();
    if (!Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar"))) {
      throw new IllegalStateException(
          quarkusApp.resolve("quarkus-run.jar")
              + " is missing: build ner-api first with `mvn -B -f ner-api/pom.xml package"
              + " -DskipTests` (the reactor build does it before this module)");
    }
    Path workDir = Path.of(System.getProperty("ha.workDir", "target/ha-work")).toAbsolutePath();
    Path reportDir = Path.of(System.getProperty("ha.reportDir", "target")).toAbsolutePath();
    int replicas = Integer.getInteger("ha.replicas", 3);
    if (replicas < 3) {
      throw new IllegalArgumentException("ha.replicas must be at least 3, got " + replicas);
    }
    Duration soak = Duration.ofSeconds(Long.getLong("ha.soak.seconds", 180));
    NginxGateway.Retry503 retry503 =
        NginxGateway.Retry503.valueOf(System.getProperty("ha.gateway.retry503", "UNCOUNTED"));
    return new HaSettings(quarkusApp, workDir, reportDir, replicas, soak, retry503);
  }
}
