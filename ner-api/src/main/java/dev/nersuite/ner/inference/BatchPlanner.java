package dev.nersuite.ner.inference;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Groups rows of different lengths into ONNX Runtime calls: sorted by length, so rows of similar
 * length share a call and padding stays small, and cut so that no call exceeds a budget of padded
 * tokens (rows x longest row). Stateless and thread-safe.
 */
public final class BatchPlanner {
  private BatchPlanner() {}

  /**
   * Plans the calls.
   *
   * @param lengths the length of each row
   * @param maxBatchTokens most padded tokens in one call; a single longer row gets a call of its
   *     own
   * @return for each call, the indexes of its rows, shortest first
   */
  public static List<int[]> group(int[] lengths, int maxBatchTokens) {
    Integer[] order = new Integer[lengths.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, Comparator.comparingInt(i -> lengths[i]));
    List<int[]> calls = new ArrayList<>();
    int from = 0;
    while (from < order.length) {
      int to = from + 1;
      // Rows are sorted, so the last row of a call is its longest: its length sets the padding.
      while (to < order.length && (long) lengths[order[to]] * (to - from + 1) <= maxBatchTokens) {
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
}
