package dev.nersuite.ner.inference;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Text in, entities out: tokenize, cut into windows, run the emission model, decode with the CRF
 * and the pipeline's chunking rules, merge windows. Thread-safe: every step is stateless or
 * thread-safe; {@link #close()} only after every call has returned.
 *
 * <p>The steps are public so that a scheduler can batch the rows of many texts into one run: {@link
 * #prepare}, then {@link #batchRunner()} on any mix of rows, then {@link #decode}.
 */
public final class EntityRecognizer implements AutoCloseable {
  private static final Set<Integer> SENTENCE_ENDS =
      Set.of((int) '。', (int) '！', (int) '？', (int) '!', (int) '?', (int) '；', (int) ';');

  private final ModelMetadata metadata;
  private final WordPieceTokenizer tokenizer;
  private final EmissionModel model;
  private final WindowPlanner planner;
  private final CrfDecoder crf;
  private final TagChunker chunker;
  private final BatchRunner runner;

  /**
   * @param metadata the bundle's metadata
   * @param tokenizer the bundle's tokenizer
   * @param model the bundle's graph
   * @param maxBatchTokens most padded tokens in one ONNX Runtime call
   * @param windowPieces longest window of a long text (at most the model's maxWordPieces)
   */
  public EntityRecognizer(
      ModelMetadata metadata,
      WordPieceTokenizer tokenizer,
      EmissionModel model,
      int maxBatchTokens,
      int windowPieces) {
    this.metadata = metadata;
    this.tokenizer = tokenizer;
    this.model = model;
    this.planner = new WindowPlanner(windowPieces);
    this.crf = new CrfDecoder(metadata.crf());
    this.chunker = new TagChunker(metadata.labels());
    this.runner = new BatchRunner(model, tokenizer.padId(), maxBatchTokens);
  }

  /** The metadata of the model being served. */
  public ModelMetadata metadata() {
    return metadata;
  }

  /** The graph this recognizer runs (package-private: tests build other runners on it). */
  EmissionModel emissionModel() {
    return model;
  }

  /** How this model's rows are batched and run. */
  public BatchRunner batchRunner() {
    return runner;
  }

  /**
   * Recognizes entities in each text, all rows batched together; results in input order. (The
   * server batches across requests with the same runner, see {@code service.BatchScheduler}.)
   */
  public List<List<Entity>> recognize(List<String> texts) {
    List<PreparedText> prepared = texts.stream().map(this::prepare).toList();
    List<float[][][]> emissions =
        runner.run(
            prepared.stream().map(PreparedText::rows).toList(), BatchRunner.CallListener.NONE);
    List<List<Entity>> results = new ArrayList<>(prepared.size());
    for (int i = 0; i < prepared.size(); i++) {
      results.add(decode(prepared.get(i), emissions.get(i)));
    }
    return results;
  }

  /** Tokenizes a text and cuts it into model rows. */
  public PreparedText prepare(String text) {
    TokenizedText tokens = tokenizer.tokenize(text);
    int[] codePoints = text.codePoints().toArray();
    List<WindowPlanner.Window> windows =
        planner.plan(tokens, word -> endsSentence(tokens, codePoints, word));
    List<long[]> rows = new ArrayList<>(windows.size());
    for (WindowPlanner.Window window : windows) {
      int length = window.pieceEnd() - window.pieceStart();
      long[] row = new long[length + 2];
      row[0] = tokenizer.clsId();
      System.arraycopy(tokens.pieceIds(), window.pieceStart(), row, 1, length);
      row[length + 1] = tokenizer.sepId();
      rows.add(row);
    }
    return new PreparedText(text, tokens, windows, rows);
  }

  /** A word ends a sentence if it is a sentence-final mark or a line break follows it. */
  private static boolean endsSentence(TokenizedText tokens, int[] codePoints, int word) {
    int start = tokens.wordStart()[word];
    int end = tokens.wordEnd()[word];
    if (end - start == 1 && SENTENCE_ENDS.contains(codePoints[start])) {
      return true;
    }
    int nextStart = word + 1 < tokens.wordCount() ? tokens.wordStart()[word + 1] : end;
    for (int i = end; i < nextStart; i++) {
      if (codePoints[i] == '\n') {
        return true;
      }
    }
    return false;
  }

  /**
   * Decodes one text from the emissions of its rows and merges its windows.
   *
   * @param text the prepared text
   * @param emissions per row of {@code text}, {@code [row length][labels]}
   */
  public List<Entity> decode(PreparedText text, float[][][] emissions) {
    TokenizedText tokens = text.tokens();
    CodePointIndex index = new CodePointIndex(text.text());
    List<Entity> entities = new ArrayList<>();
    for (int w = 0; w < text.windows().size(); w++) {
      WindowPlanner.Window window = text.windows().get(w);
      float[][] rowEmissions = emissions[w];
      int words = window.endWord() - window.firstWord();
      float[][] positions = new float[words][];
      for (int i = 0; i < words; i++) {
        int piece = tokens.wordFirstPiece()[window.firstWord() + i];
        positions[i] = rowEmissions[1 + piece - window.pieceStart()];
      }
      int[] labels = crf.decode(positions);
      for (TagChunker.Chunk chunk : chunker.chunk(labels)) {
        int firstWord = window.firstWord() + chunk.first();
        if (firstWord < window.ownedFirstWord() || firstWord >= window.ownedEndWord()) {
          continue;
        }
        int lastWord = window.firstWord() + chunk.last();
        int start = tokens.wordStart()[firstWord];
        int end = tokens.wordEnd()[lastWord];
        Entity previous = entities.isEmpty() ? null : entities.get(entities.size() - 1);
        if (previous != null && start < previous.end()) {
          // Words that NFKC made from one original character share its offsets; a chunk that
          // reaches back into the previous entity's characters extends it instead of repeating it.
          int mergedEnd = Math.max(previous.end(), end);
          entities.set(
              entities.size() - 1,
              new Entity(
                  previous.type(),
                  previous.start(),
                  mergedEnd,
                  index.substring(previous.start(), mergedEnd),
                  previous.prob()));
          continue;
        }
        double prob = softmaxAt(positions[chunk.first()], labels[chunk.first()]);
        entities.add(new Entity(chunk.type(), start, end, index.substring(start, end), prob));
      }
    }
    return entities;
  }

  static double softmaxAt(float[] scores, int label) {
    double max = Double.NEGATIVE_INFINITY;
    for (float score : scores) {
      max = Math.max(max, score);
    }
    double sum = 0;
    for (float score : scores) {
      sum += Math.exp(score - max);
    }
    return Math.exp(scores[label] - max) / sum;
  }

  @Override
  public void close() {
    model.close();
    tokenizer.close();
  }

  /** Code-point offsets to UTF-16 indexes of one string, computed once. */
  private static final class CodePointIndex {
    private final String text;
    private int[] charIndex;

    CodePointIndex(String text) {
      this.text = text;
    }

    String substring(int start, int end) {
      if (charIndex == null) {
        int count = text.codePointCount(0, text.length());
        charIndex = new int[count + 1];
        int chars = 0;
        for (int cp = 0; cp < count; cp++) {
          charIndex[cp] = chars;
          chars += Character.charCount(text.codePointAt(chars));
        }
        charIndex[count] = chars;
      }
      return text.substring(charIndex[start], charIndex[end]);
    }
  }
}
