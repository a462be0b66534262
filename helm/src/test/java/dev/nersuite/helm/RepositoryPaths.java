package dev.nersuite.helm;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the chart, the plain manifests, the Dockerfiles and ner-api's build output are. The root is
 * the {@code nersuite.root} system property (set by the build), else the parent of the working
 * directory when that is the chart. Stateless and thread-safe.
 */
final class RepositoryPaths {

  private RepositoryPaths() {}

  /** The repository root (the directory holding pom.xml, helm/, k8s/, Dockerfile.jvm). */
  static Path root() {
    String property = System.getProperty("nersuite.root");
    Path root =
        property != null && !property.isBlank()
            ? Path.of(property)
            : Path.of("").toAbsolutePath().getParent();
    root = root.toAbsolutePath().normalize();
    if (!Files.isRegularFile(root.resolve("helm/Chart.yaml"))) {
      throw new IllegalStateException(
          "Cannot find helm/Chart.yaml under " + root + ": run the tests through Maven");
    }
    return root;
  }

  /** The chart directory, helm/. */
  static Path chart() {
    return root().resolve("helm");
  }

  /** The plain manifests rendered from the chart, k8s/. */
  static Path plainManifests() {
    return root().resolve("k8s");
  }

  /** What quarkus-kubernetes writes while ner-api builds. */
  static Path quarkusKubernetesManifest() {
    return root().resolve("ner-api/target/kubernetes/kubernetes.yml");
  }

  /** The fast-jar layout `mvn -pl ner-api package` writes and Dockerfile.jvm copies. */
  static Path quarkusApp() {
    return root().resolve("ner-api/target/quarkus-app");
  }
}
