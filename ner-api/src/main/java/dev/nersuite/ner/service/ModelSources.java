package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.inference.ModelBundle;
import dev.nersuite.ner.inference.ModelBundleException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Which bundles the configuration asks to serve, in order, and which one is the default. Reading a
 * bundle is deferred to the loader ({@link ModelRegistry}). Immutable and thread-safe.
 *
 * <p>Rules: {@code ner.models.embedded} (default: every embedded bundle, or none when {@code
 * ner.model.path} is set), then the {@code ner.model.path} bundle, then each of {@code
 * ner.models.directories}. The default is {@code ner.models.default}, else the {@code
 * ner.model.path} bundle, else the first one served.
 *
 * @param sources the bundles, in order
 * @param configuredDefault {@code ner.models.default}, if set
 * @param pathIndex the index in {@code sources} of the {@code ner.model.path} bundle, or -1
 */
public record ModelSources(
    List<Source> sources, Optional<String> configuredDefault, int pathIndex) {

  /**
   * One bundle to serve.
   *
   * @param description where it comes from, for logs
   * @param loader reads and checks it
   */
  public record Source(String description, Supplier<ModelBundle> loader) {}

  /** Resolves the configuration; fails on an embedded name that does not exist. */
  public static ModelSources of(NerConfig config) {
    List<Source> sources = new ArrayList<>();
    Optional<String> path = config.model().path().filter(p -> !p.isBlank());
    List<String> embedded = ModelBundle.embeddedNames();
    List<String> wanted =
        config
            .models()
            .embedded()
            .map(ModelSources::names)
            .orElse(path.isPresent() ? List.of() : embedded);
    for (String name : wanted) {
      if (!embedded.contains(name)) {
        throw new ModelBundleException(
            "ner.models.embedded names '" + name + "'; the embedded bundles are " + embedded);
      }
      sources.add(new Source("embedded " + name, () -> ModelBundle.embedded(name)));
    }
    int pathIndex = -1;
    if (path.isPresent()) {
      pathIndex = sources.size();
      Path directory = Path.of(path.get());
      sources.add(new Source(directory.toString(), () -> ModelBundle.fromDirectory(directory)));
    }
    for (String directory :
        config.models().directories().map(ModelSources::names).orElse(List.of())) {
      Path dir = Path.of(directory);
      sources.add(new Source(dir.toString(), () -> ModelBundle.fromDirectory(dir)));
    }
    if (sources.isEmpty()) {
      throw new ModelBundleException(
          "no model to serve: ner.models.embedded is empty and neither ner.model.path nor"
              + " ner.models.directories is set");
    }
    return new ModelSources(
        List.copyOf(sources), config.models().defaultModel().filter(d -> !d.isBlank()), pathIndex);
  }

  /** A list setting's names; {@code none} or blanks mean no name. */
  private static List<String> names(List<String> values) {
    return values.stream()
        .map(String::strip)
        .filter(v -> !v.isEmpty() && !v.equalsIgnoreCase("none"))
        .toList();
  }

  /**
   * The default model's name, once the bundles' names are known.
   *
   * @param loadedNames the name of each source's bundle, in order
   * @throws ModelBundleException when {@code ner.models.default} names no served model
   */
  public String defaultName(List<String> loadedNames) {
    if (configuredDefault.isPresent()) {
      if (!loadedNames.contains(configuredDefault.get())) {
        throw new ModelBundleException(
            "ner.models.default is '"
                + configuredDefault.get()
                + "', which is not served; served: "
                + loadedNames);
      }
      return configuredDefault.get();
    }
    return loadedNames.get(pathIndex >= 0 ? pathIndex : 0);
  }
}
