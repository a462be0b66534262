package dev.nersuite.helm;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Rewrites k8s/ from the chart: {@code mvn -B -pl helm -Pk8s-manifests process-test-classes}.
 * Deletes the YAML files of k8s/ that the chart no longer renders; leaves other files (the README)
 * alone.
 */
public final class PlainManifestsWriter {

  private PlainManifestsWriter() {}

  /**
   * @param args the chart directory and the k8s/ directory
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: PlainManifestsWriter <chart dir> <k8s dir>");
    }
    Path chart = Path.of(args[0]).toAbsolutePath().normalize();
    Path target = Path.of(args[1]).toAbsolutePath().normalize();
    Map<String, String> files = PlainManifests.render(chart);
    Files.createDirectories(target);
    try (Stream<Path> existing = Files.list(target)) {
      for (Path file : existing.toList()) {
        String name = file.getFileName().toString();
        if (name.endsWith(".yaml") && !files.containsKey(name)) {
          Files.delete(file);
          System.out.println("deleted " + file);
        }
      }
    }
    for (Map.Entry<String, String> file : files.entrySet()) {
      Files.writeString(target.resolve(file.getKey()), file.getValue());
      System.out.println("wrote " + target.resolve(file.getKey()));
    }
  }
}
