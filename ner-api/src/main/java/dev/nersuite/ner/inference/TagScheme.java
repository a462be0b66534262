package dev.nersuite.ner.inference;

/**
 * Parses BIO/BIOES label names into a prefix and an entity type. Stateless and thread-safe.
 *
 * <p>Labels are {@code O} or {@code P-TYPE} with {@code P} one of {@code B I E S}; the type is
 * whatever follows the first dash, so models with other type names still load.
 */
public final class TagScheme {
  private TagScheme() {}

  /** The prefix of a label. */
  public enum Prefix {
    B,
    I,
    E,
    S,
    O
  }

  /**
   * One parsed label.
   *
   * @param prefix its prefix
   * @param type its entity type, or {@code null} for {@code O}
   */
  public record Tag(Prefix prefix, String type) {}

  /**
   * Parses one label.
   *
   * @throws ModelBundleException for a label that is neither {@code O} nor {@code P-TYPE}
   */
  public static Tag parse(String label) {
    if ("O".equals(label)) {
      return new Tag(Prefix.O, null);
    }
    if (label == null || label.length() < 3 || label.charAt(1) != '-') {
      throw new ModelBundleException("not a BIO/BIOES label: " + label);
    }
    Prefix prefix =
        switch (label.charAt(0)) {
          case 'B' -> Prefix.B;
          case 'I' -> Prefix.I;
          case 'E' -> Prefix.E;
          case 'S' -> Prefix.S;
          default -> throw new ModelBundleException("not a BIO/BIOES label: " + label);
        };
    return new Tag(prefix, label.substring(2));
  }
}
