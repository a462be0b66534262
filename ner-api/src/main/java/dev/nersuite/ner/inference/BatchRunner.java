package dev.nersuite.ner.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * The one place rows are batched for the model: rows of any number of groups (texts, or requests)
 * are grouped by length into ONNX Runtime calls of at most {@code maxBatchTokens} padded tokens
 * ({@link BatchPlanner}), each call is run, and each group gets its rows' emissions back in its own
 * order. The server's scheduler, warm-up, tests and the benchmark's in-process limit all run rows
 * through here, so what is measured is what serves. Thread-safe (the model is; nothing else is
 * shared).
 *
 * <p>Results never depend on the grouping: the bundle contract requires each row's emissions to be
 * independent of its neighbours and its padding. A graph that breaks that rule on purpose, an int8
 * variant whose activations are quantised with one scale per call ({@link
 * EmissionModel#rowsMustRunAlone()}), gets every row in a call of its own, without padding.
 */
public final class BatchRunner {
  /** Told about every ONNX Runtime call, for metrics. */
  @FunctionalInterface
  public interface CallListener {
    /**
     * @param rows rows in the call
     * @param paddedTokens rows times the longest row
     * @param nanos how long the call took
     */
    void onCall(int rows, long paddedTokens, long nanos);

    /** A listener that ignores calls. */
    CallListener NONE = (rows, paddedTokens, nanos) -> {};
  }

  private final EmissionModel model;
  private final long padId;
  private final int maxBatchTokens;
  private final int maxRows;

  /**
   * @param model the graph
   * @param padId id of {@code [PAD]}
   * @param maxBatchTokens most padded tokens in one call; a longer single row gets a call of its
   *     own
   */
  public BatchRunner(EmissionModel model, long padId, int maxBatchTokens) {
    this(model, padId, maxBatchTokens, model.rowsMustRunAlone() ? 1 : Integer.MAX_VALUE);
  }

  /** As above, with a bound on rows per call (tests; the graph decides it otherwise). */
  BatchRunner(EmissionModel model, long padId, int maxBatchTokens, int maxRows) {
    this.model = model;
    this.padId = padId;
    this.maxBatchTokens = maxBatchTokens;
    this.maxRows = maxRows;
  }

  /** The budget of padded tokens per call. */
  public int maxBatchTokens() {
    return maxBatchTokens;
  }

  /** Most rows in one call: 1 when the graph's rows must run alone. */
  public int maxRows() {
    return maxRows;
  }

  /**
   * Runs every row of every group.
   *
   * @param groups rows per group, each row {@code [CLS] ... [SEP]}
   * @param listener told about each call
   * @return per group, the emissions of its rows in its order ({@code [row length][labels]})
   */
  public List<float[][][]> run(List<List<long[]>> groups, CallListener listener) {
    List<long[]> rows = new ArrayList<>();
    groups.forEach(rows::addAll);
    float[][][] emissions = runRows(rows, listener);
    List<float[][][]> out = new ArrayList<>(groups.size());
    int next = 0;
    for (List<long[]> group : groups) {
      float[][][] own = new float[group.size()][][];
      System.arraycopy(emissions, next, own, 0, own.length);
      next += own.length;
      out.add(own);
    }
    return out;
  }

  /**
   * Runs rows in calls planned by {@link BatchPlanner}.
   *
   * @return emissions per row, in the order of {@code rows}
   */
  public float[][][] runRows(List<long[]> rows, CallListener listener) {
    int[] lengths = rows.stream().mapToInt(row -> row.length).toArray();
    float[][][] out = new float[rows.size()][][];
    for (int[] call : BatchPlanner.group(lengths, maxBatchTokens, maxRows)) {
      List<long[]> batch = new ArrayList<>(call.length);
      for (int index : call) {
        batch.add(rows.get(index));
      }
      long started = System.nanoTime();
      float[][][] result = model.run(batch, padId);
      listener.onCall(
          call.length,
          (long) call.length * lengths[call[call.length - 1]],
          System.nanoTime() - started);
      for (int i = 0; i < call.length; i++) {
        out[call[i]] = result[i];
      }
    }
    return out;
  }
}
