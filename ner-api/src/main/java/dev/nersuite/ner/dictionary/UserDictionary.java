package dev.nersuite.ner.dictionary;

import dev.nersuite.ner.inference.NormalizedText;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.ahocorasick.trie.PayloadEmit;
import org.ahocorasick.trie.PayloadTrie;

/**
 * A loaded user dictionary: where its forced terms occur in a text, and which spans it suppresses.
 * Immutable and thread-safe (the trie is only read after it is built).
 *
 * <p>Forced terms are found by an Aho-Corasick automaton over the NFKC-normalised text (the models'
 * normalisation) and kept leftmost-longest without overlaps, with code-point offsets of the
 * original text mapped back exactly as the models' entities are ({@link NormalizedText}). How the
 * matches change a model's entities is {@code service.PostProcessor}'s job.
 */
public final class UserDictionary {
  /**
   * A forced term found in a text.
   *
   * @param type its entity type
   * @param start first code point in the original text
   * @param end code point after its last one
   * @param span the original text between them
   */
  public record Match(String type, int start, int end, String span) {}

  /** No dictionary: every model entity stays. */
  public static final UserDictionary EMPTY = new UserDictionary(Map.of());

  private final PayloadTrie<String> forced;
  private final Set<String> forcedTypes;
  private final Set<String> suppressed;
  private final int entries;
  private final boolean hasForced;

  /**
   * @param entries normalised term to type, {@code null} for a suppressed term (see {@link
   *     DictionaryParser})
   */
  public UserDictionary(Map<String, String> entries) {
    PayloadTrie.PayloadTrieBuilder<String> builder = PayloadTrie.builder();
    Set<String> suppress = new HashSet<>();
    Set<String> types = new java.util.TreeSet<>();
    boolean any = false;
    for (Map.Entry<String, String> entry : entries.entrySet()) {
      if (entry.getValue() == null) {
        suppress.add(entry.getKey());
      } else {
        builder.addKeyword(entry.getKey(), entry.getValue());
        types.add(entry.getValue());
        any = true;
      }
    }
    this.forced = builder.build();
    this.suppressed = Set.copyOf(suppress);
    this.forcedTypes = java.util.Collections.unmodifiableSet(types);
    this.entries = entries.size();
    this.hasForced = any;
  }

  /** Every term, forced and suppressed. */
  public int entries() {
    return entries;
  }

  /** The entity types its forced terms give. */
  public Set<String> forcedTypes() {
    return forcedTypes;
  }

  /** Whether the dictionary suppresses a model entity with this span. */
  public boolean suppresses(String span) {
    return !suppressed.isEmpty() && suppressed.contains(normalize(span));
  }

  /** The forced terms found in {@code text}, leftmost-longest and non-overlapping. */
  public List<Match> matches(String text) {
    if (!hasForced) {
      return List.of();
    }
    NormalizedText normalized = NormalizedText.nfkc(text);
    String haystack = normalized.text();
    List<PayloadEmit<String>> emits = new ArrayList<>(forced.parseText(haystack));
    if (emits.isEmpty()) {
      return List.of();
    }
    // Leftmost first; at the same start, the longest.
    emits.sort(
        Comparator.comparingInt(PayloadEmit<String>::getStart)
            .thenComparing(Comparator.comparingInt(PayloadEmit<String>::getEnd).reversed()));
    int[] codePointAt = codePointIndexes(haystack);
    List<Match> out = new ArrayList<>();
    int taken = -1; // UTF-16 end (exclusive) of the last kept match
    int[] originalCodePoints = null;
    for (PayloadEmit<String> emit : emits) {
      if (emit.getStart() < taken) {
        continue;
      }
      taken = emit.getEnd() + 1;
      int first = codePointAt[emit.getStart()];
      int last = codePointAt[emit.getEnd()];
      int start = normalized.originalStart(first);
      int end = normalized.originalEnd(last);
      if (!out.isEmpty() && start < out.get(out.size() - 1).end()) {
        continue; // two matches inside one original character that NFKC expanded
      }
      if (originalCodePoints == null) {
        originalCodePoints = text.codePoints().toArray();
      }
      String span = new String(originalCodePoints, start, end - start);
      out.add(new Match(emit.getPayload(), start, end, span));
    }
    return out;
  }

  /** For each UTF-16 index of {@code s}, the index of the code point it belongs to. */
  private static int[] codePointIndexes(String s) {
    int[] out = new int[s.length()];
    int codePoint = 0;
    for (int i = 0; i < s.length(); ) {
      int width = Character.charCount(s.codePointAt(i));
      for (int k = 0; k < width; k++) {
        out[i + k] = codePoint;
      }
      i += width;
      codePoint++;
    }
    return out;
  }

  private static String normalize(String s) {
    return Normalizer.normalize(s, Normalizer.Form.NFKC);
  }
}
