package dev.nersuite.ner.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Cuts a tokenized text that is longer than the model's row into overlapping windows, and decides
 * which window owns which words, so that merging keeps every entity exactly once. Immutable and
 * thread-safe.
 *
 * <p>Windows are cut at word boundaries. Consecutive windows overlap by about {@code overlapPieces}
 * pieces; the words of an overlap are split between the two windows at a sentence end near the
 * middle of the overlap when there is one, else at the middle, so each window owns words that have
 * context on both sides. An entity belongs to the window that owns its first word. A text that fits
 * one row is one window owning every word, so it gets exactly the single-window result.
 */
public final class WindowPlanner {
  private final int maxPieces;
  private final int overlapPieces;

  /**
   * @param maxWordPieces longest row the model takes, {@code [CLS]} and {@code [SEP]} included
   */
  public WindowPlanner(int maxWordPieces) {
    this.maxPieces = maxWordPieces - 2;
    this.overlapPieces = Math.max(1, Math.min(128, maxPieces / 4));
  }

  /**
   * One window.
   *
   * @param pieceStart first piece in the window
   * @param pieceEnd piece after the last one in the window
   * @param firstWord first word whose first piece is in the window
   * @param endWord word after the last word in the window
   * @param ownedFirstWord first word this window owns
   * @param ownedEndWord word after the last word this window owns
   */
  public record Window(
      int pieceStart,
      int pieceEnd,
      int firstWord,
      int endWord,
      int ownedFirstWord,
      int ownedEndWord) {}

  /**
   * Plans the windows of one text.
   *
   * @param text the tokenized text
   * @param endsSentence whether a word ends a sentence (preferred ownership boundary)
   */
  public List<Window> plan(TokenizedText text, IntPredicate endsSentence) {
    int pieces = text.pieceCount();
    int words = text.wordCount();
    if (pieces <= maxPieces) {
      return List.of(new Window(0, pieces, 0, words, 0, words));
    }
    int[] firstPiece = text.wordFirstPiece();
    List<int[]> spans = new ArrayList<>(); // {pieceStart, pieceEnd, firstWord, endWord}
    int pieceStart = 0;
    int firstWord = 0;
    while (true) {
      if (pieceStart + maxPieces >= pieces) {
        spans.add(new int[] {pieceStart, pieces, firstWord, words});
        break;
      }
      int limit = pieceStart + maxPieces;
      int endWord = lastWordStartingAtOrBefore(firstPiece, limit, firstWord);
      int pieceEnd;
      if (endWord <= firstWord) {
        // One word longer than a whole row: keep its first pieces, which carry its label.
        endWord = firstWord + 1;
        pieceEnd = limit;
      } else {
        pieceEnd = firstPiece[endWord];
      }
      spans.add(new int[] {pieceStart, pieceEnd, firstWord, endWord});
      int nextFirstWord = firstWordStartingAtOrAfter(firstPiece, pieceEnd - overlapPieces);
      nextFirstWord = Math.max(firstWord + 1, Math.min(nextFirstWord, endWord));
      if (nextFirstWord >= words) {
        break;
      }
      firstWord = nextFirstWord;
      pieceStart = firstPiece[firstWord];
    }
    List<Window> windows = new ArrayList<>(spans.size());
    int ownedFirst = 0;
    for (int i = 0; i < spans.size(); i++) {
      int[] span = spans.get(i);
      int ownedEnd = span[3];
      if (i + 1 < spans.size()) {
        int overlapFirst = spans.get(i + 1)[2];
        ownedEnd = ownershipBoundary(overlapFirst, span[3], ownedFirst, endsSentence);
      }
      windows.add(new Window(span[0], span[1], span[2], span[3], ownedFirst, ownedEnd));
      ownedFirst = ownedEnd;
    }
    return windows;
  }

  /** The word after which ownership passes to the next window, within the overlap. */
  private static int ownershipBoundary(
      int overlapFirst, int overlapEnd, int ownedFirst, IntPredicate endsSentence) {
    int low = Math.max(overlapFirst, ownedFirst + 1);
    if (low >= overlapEnd) {
      return Math.max(ownedFirst + 1, Math.min(overlapEnd, overlapFirst));
    }
    int middle = (low + overlapEnd) / 2;
    // Nearest sentence end to the middle, searched outwards; the boundary is the word after it.
    for (int distance = 0; distance <= overlapEnd - low; distance++) {
      for (int candidate : new int[] {middle - distance, middle + distance}) {
        if (candidate >= low && candidate < overlapEnd - 1 && endsSentence.test(candidate)) {
          return candidate + 1;
        }
      }
    }
    return middle;
  }

  private static int lastWordStartingAtOrBefore(int[] firstPiece, int limit, int from) {
    int low = from;
    int high = firstPiece.length - 1;
    int found = from;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      if (firstPiece[mid] <= limit) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }

  private static int firstWordStartingAtOrAfter(int[] firstPiece, int piece) {
    int low = 0;
    int high = firstPiece.length;
    while (low < high) {
      int mid = (low + high) >>> 1;
      if (firstPiece[mid] < piece) {
        low = mid + 1;
      } else {
        high = mid;
      }
    }
    return low;
  }
}
