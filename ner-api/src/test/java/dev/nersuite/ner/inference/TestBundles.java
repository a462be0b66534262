package dev.nersuite.ner.inference;

import java.net.URISyntaxException;
import java.nio.file.Path;

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

  /** The lookup bundle (see src/test/python/make_lookup_bundle.py). */
  public static ModelBundle lookup() {
    return ModelBundle.fromDirectory(resource("lookup-bundle"));
  }
}
