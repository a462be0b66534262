package dev.nersuite.ner.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups rows of different lengths into ONNX Runtime calls: sorted by length, so rows of similar
 * length share a call, and cut so that no call exceeds a budget of padded tokens (rows x longest
 * row), a number of rows, or a bound on padding: a row joins a call only while the call's longest
 * row is at most {@link #PADDING_SLACK_SHARE} longer than its shortest (plus {@link
 * #PADDING_SLACK_TOKENS}). So a short sentence never pays for a long neighbour's padding, which
 * matters most for attention (quadratic in the row's width). Stateless and thread-safe.
 */
public final class BatchPlanner {
  /** A call's longest row may exceed its shortest by this share of the shortest ... */
  static final double PADDING_SLACK_SHARE = 0.25;

  /** ... plus this many tokens (rows of 3 and 9 tokens cost about the same). */
  static final int PADDING_SLACK_TOKENS = 8;

  private BatchPlanner() {}

  /**
   * Plans the calls, with no bound on rows per call.
   *
   * @see #group(int[], int, int)
   */
  public static List<int[]> group(int[] lengths, int maxBatchTokens) {
    return group(lengths, maxBatchTokens, Integer.MAX_VALUE);
  }

  /**
   * Plans the calls.
   *
   * @param lengths the length of each row
   * @param maxBatchTokens most padded tokens in one call; a single longer row gets a call of its
   *     own
   * @param maxRows most rows in one call (1: every row alone)
   * @return for each call, the indexes of its rows, shortest first
   */
  public static List<int[]> group(int[] lengths, int maxBatchTokens, int maxRows) {
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
    List<int[]> calls = new ArrayList<>();
    int from = 0;
    while (from < order.length) {
      int to = from + 1;
      long widest = widestAllowed(lengths[order[from]]);
      // Rows are sorted, so the last row of a call is its longest: its length sets the padding.
      while (to < order.length
          && to - from < maxRows
          && lengths[order[to]] <= widest
          && (long) lengths[order[to]] * (to - from + 1) <= maxBatchTokens) {
        to++;
      }
      int[] call = new int[to - from];
      for (int i = from; i < to; i++) {
        call[i - from] = order[i];
      }
      calls.add(call);
      from = to;
    }
    return calls;
  }

  /** The longest row that may share a call whose shortest row has {@code shortest} tokens. */
  static long widestAllowed(int shortest) {
    return (long) Math.floor(shortest * (1 + PADDING_SLACK_SHARE)) + PADDING_SLACK_TOKENS;
  }
}
