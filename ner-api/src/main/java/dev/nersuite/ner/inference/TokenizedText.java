package dev.nersuite.ner.inference;

/**
 * A text cut into word-pieces and words, with every piece's code-point offsets in the original
 * text. Immutable and thread-safe.
 *
 * <p>A word is a pre-tokenizer word (one CJK character, one punctuation mark, or a Latin/digit
 * run); its label sits on its first piece.
 *
 * @param pieceIds vocabulary id of each piece
 * @param wordFirstPiece index of the first piece of each word
 * @param wordStart original code-point offset where each word begins
 * @param wordEnd original code-point offset, exclusive, where each word ends
 */
public record TokenizedText(long[] pieceIds, int[] wordFirstPiece, int[] wordStart, int[] wordEnd) {

  /** Number of pieces. */
  public int pieceCount() {
    return pieceIds.length;
  }

  /** Number of words (label positions). */
  public int wordCount() {
    return wordFirstPiece.length;
  }

  /** Index of the piece after the last piece of {@code word}. */
  public int wordEndPiece(int word) {
    return word + 1 < wordFirstPiece.length ? wordFirstPiece[word + 1] : pieceIds.length;
  }
}
