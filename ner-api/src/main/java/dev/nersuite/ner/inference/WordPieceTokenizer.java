package dev.nersuite.ner.inference;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Cuts text into word-pieces with DJL's HuggingFace tokenizer and groups them into words, keeping
 * code-point offsets into the original text. Thread-safe (the native tokenizer is immutable once
 * built); close it once no call is running.
 */
public final class WordPieceTokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer tokenizer;
  private final boolean nfkc;
  private final long clsId;
  private final long sepId;
  private final long padId;

  private WordPieceTokenizer(HuggingFaceTokenizer tokenizer, JsonNode vocab, boolean nfkc) {
    this.tokenizer = tokenizer;
    this.nfkc = nfkc;
    this.clsId = specialId(vocab, "[CLS]");
    this.sepId = specialId(vocab, "[SEP]");
    this.padId = specialId(vocab, "[PAD]");
  }

  /**
   * Loads {@code tokenizer.json}.
   *
   * @param tokenizerJson the file's bytes
   * @param nfkc whether to NFKC-normalise text first
   * @throws ModelBundleException when the file is not a usable WordPiece tokenizer
   */
  public static WordPieceTokenizer load(byte[] tokenizerJson, boolean nfkc) {
    JsonNode vocab;
    try {
      vocab = new ObjectMapper().readTree(tokenizerJson).path("model").path("vocab");
    } catch (IOException e) {
      throw new ModelBundleException("tokenizer.json is not valid JSON", e);
    }
    // DJL reads from a stream; no truncation, padding or special tokens: windows are built by us.
    try (InputStream in = new java.io.ByteArrayInputStream(tokenizerJson)) {
      HuggingFaceTokenizer tokenizer =
          HuggingFaceTokenizer.newInstance(
              in,
              Map.of(
                  "addSpecialTokens", "false",
                  "truncation", "false",
                  "padding", "false",
                  "maxLength", String.valueOf(Integer.MAX_VALUE)));
      return new WordPieceTokenizer(tokenizer, vocab, nfkc);
    } catch (IOException | RuntimeException e) {
      throw new ModelBundleException("tokenizer.json cannot be loaded: " + e.getMessage(), e);
    }
  }

  /** Loads {@code tokenizer.json} from a file. */
  public static WordPieceTokenizer load(Path tokenizerJson, boolean nfkc) throws IOException {
    return load(Files.readAllBytes(tokenizerJson), nfkc);
  }

  private static long specialId(JsonNode vocab, String token) {
    JsonNode id = vocab.get(token);
    if (id == null || !id.canConvertToLong()) {
      throw new ModelBundleException("tokenizer.json vocabulary has no " + token);
    }
    return id.asLong();
  }

  /** Tokenizes {@code text}, normalising it first when the model asks for it. */
  public TokenizedText tokenize(String text) {
    NormalizedText normalized = nfkc ? NormalizedText.nfkc(text) : NormalizedText.identity(text);
    Encoding encoding = tokenizer.encode(normalized.text(), false, false);
    long[] ids = encoding.getIds();
    long[] wordIds = encoding.getWordIds();
    CharSpan[] spans = encoding.getCharTokenSpans();
    int[] wordFirstPiece = new int[ids.length];
    int[] wordStart = new int[ids.length];
    int[] wordEnd = new int[ids.length];
    int words = 0;
    long previousWordId = Long.MIN_VALUE;
    for (int piece = 0; piece < ids.length; piece++) {
      CharSpan span = spans[piece];
      if (span == null) {
        // An added token written literally in the text ("[SEP]") has no offsets: it stays in the
        // row as the model would see it, but it is no label position and never part of an entity.
        continue;
      }
      int start = normalized.originalStart(span.getStart());
      int end = normalized.originalEnd(span.getEnd() - 1);
      if (words == 0 || wordIds[piece] != previousWordId) {
        wordFirstPiece[words] = piece;
        wordStart[words] = start;
        wordEnd[words] = end;
        words++;
      } else {
        wordEnd[words - 1] = Math.max(wordEnd[words - 1], end);
      }
      previousWordId = wordIds[piece];
    }
    return new TokenizedText(
        ids,
        java.util.Arrays.copyOf(wordFirstPiece, words),
        java.util.Arrays.copyOf(wordStart, words),
        java.util.Arrays.copyOf(wordEnd, words));
  }

  /** Id of {@code [CLS]}. */
  public long clsId() {
    return clsId;
  }

  /** Id of {@code [SEP]}. */
  public long sepId() {
    return sepId;
  }

  /** Id of {@code [PAD]}. */
  public long padId() {
    return padId;
  }

  @Override
  public void close() {
    tokenizer.close();
  }
}
