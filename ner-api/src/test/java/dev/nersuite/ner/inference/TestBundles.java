package dev.nersuite.ner.inference;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/** Locates the bundles kept as test resources. */
public final class TestBundles {
  private TestBundles() {}

  /** A test-resource folder as a path. */
  public static Path resource(String folder) {
    try {
      return Path.of(TestBundles.class.getClassLoader().getResource(folder).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("test resource missing: " + folder, e);
    }
  }

  /**
   * The paths a system property names, comma-separated (e.g. {@code -Dner.test.extra-bundles=a,b}
   * for files too large for the repository); none when it is unset.
   */
  public static Stream<Path> pathsIn(String property) {
    return Arrays.stream(System.getProperty(property, "").split(","))
        .map(String::strip)
        .filter(path -> !path.isEmpty())
        .map(Path::of);
  }

  /** The lookup bundle (see src/test/python/make_lookup_bundle.py). */
  public static ModelBundle lookup() {
    return ModelBundle.fromDirectory(resource("lookup-bundle"));
  }
}
