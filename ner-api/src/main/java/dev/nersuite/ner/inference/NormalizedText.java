package dev.nersuite.ner.inference;

import java.text.Normalizer;

/**
 * A text after normalisation, with a map from each of its code points back to the range of code
 * points of the original text it came from. Immutable and thread-safe.
 *
 * <p>NFKC is applied cluster by cluster (a base code point with the combining marks that follow
 * it), so every output code point maps to exactly one original cluster and offsets can always be
 * mapped back, even where NFKC expands one code point into several ({@code ㈱} to {@code (株)}).
 */
public final class NormalizedText {
  private final String text;
  private final int[] originalStart;
  private final int[] originalEnd;
  private final int originalLength;

  private NormalizedText(String text, int[] originalStart, int[] originalEnd, int originalLength) {
    this.text = text;
    this.originalStart = originalStart;
    this.originalEnd = originalEnd;
    this.originalLength = originalLength;
  }

  /** The text unchanged: each code point maps to itself. */
  public static NormalizedText identity(String original) {
    int length = original.codePointCount(0, original.length());
    int[] start = new int[length];
    int[] end = new int[length];
    for (int i = 0; i < length; i++) {
      start[i] = i;
      end[i] = i + 1;
    }
    return new NormalizedText(original, start, end, length);
  }

  /** NFKC-normalises {@code original}, keeping the offset map. */
  public static NormalizedText nfkc(String original) {
    if (Normalizer.isNormalized(original, Normalizer.Form.NFKC)) {
      return identity(original);
    }
    int[] codePoints = original.codePoints().toArray();
    StringBuilder out = new StringBuilder(original.length());
    IntList starts = new IntList(codePoints.length);
    IntList ends = new IntList(codePoints.length);
    int clusterStart = 0;
    while (clusterStart < codePoints.length) {
      int clusterEnd = clusterStart + 1;
      while (clusterEnd < codePoints.length && isCombiningMark(codePoints[clusterEnd])) {
        clusterEnd++;
      }
      String cluster = new String(codePoints, clusterStart, clusterEnd - clusterStart);
      if (Normalizer.isNormalized(cluster, Normalizer.Form.NFKC)) {
        // Keep per-code-point offsets where nothing changes.
        for (int i = clusterStart; i < clusterEnd; i++) {
          out.appendCodePoint(codePoints[i]);
          starts.add(i);
          ends.add(i + 1);
        }
      } else {
        String normalized = Normalizer.normalize(cluster, Normalizer.Form.NFKC);
        int count = normalized.codePointCount(0, normalized.length());
        out.append(normalized);
        for (int i = 0; i < count; i++) {
          starts.add(clusterStart);
          ends.add(clusterEnd);
        }
      }
      clusterStart = clusterEnd;
    }
    return new NormalizedText(out.toString(), starts.toArray(), ends.toArray(), codePoints.length);
  }

  private static boolean isCombiningMark(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.NON_SPACING_MARK
        || type == Character.ENCLOSING_MARK
        || type == Character.COMBINING_SPACING_MARK;
  }

  /** The normalised text, what the tokenizer sees. */
  public String text() {
    return text;
  }

  /** Code points in the original text. */
  public int originalLength() {
    return originalLength;
  }

  /** Original code-point offset where normalised code point {@code index} begins. */
  public int originalStart(int index) {
    return originalStart[index];
  }

  /** Original code-point offset, exclusive, where normalised code point {@code index} ends. */
  public int originalEnd(int index) {
    return originalEnd[index];
  }

  /** A growable int array, to avoid boxing on long texts. */
  private static final class IntList {
    private int[] values;
    private int size;

    IntList(int capacity) {
      values = new int[Math.max(capacity, 4)];
    }

    void add(int value) {
      if (size == values.length) {
        values = java.util.Arrays.copyOf(values, size * 2);
      }
      values[size++] = value;
    }

    int[] toArray() {
      return java.util.Arrays.copyOf(values, size);
    }
  }
}
