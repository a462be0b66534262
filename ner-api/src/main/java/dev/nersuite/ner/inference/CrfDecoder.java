package dev.nersuite.ner.inference;

/**
 * Viterbi decoding of a linear-chain CRF with start, end and transition scores, as RaNER's CRF
 * decodes. Immutable and thread-safe.
 */
public final class CrfDecoder {
  private final float[] start;
  private final float[] end;
  private final float[][] transitions;
  private final int labelCount;

  /**
   * @param crf the model's CRF parameters; {@code transitions[from][to]}
   */
  public CrfDecoder(ModelMetadata.Crf crf) {
    this.start = crf.start().clone();
    this.end = crf.end().clone();
    this.labelCount = start.length;
    this.transitions = new float[labelCount][];
    for (int i = 0; i < labelCount; i++) {
      transitions[i] = crf.transitions()[i].clone();
    }
  }

  /**
   * Finds the best label sequence.
   *
   * @param emissions {@code [positions][labels]} scores, one row per label position
   * @return the best label id per position; empty for no positions
   */
  public int[] decode(float[][] emissions) {
    int length = emissions.length;
    int[] best = new int[length];
    if (length == 0) {
      return best;
    }
    double[] score = new double[labelCount];
    for (int label = 0; label < labelCount; label++) {
      score[label] = (double) start[label] + emissions[0][label];
    }
    int[][] backPointers = new int[length][labelCount];
    double[] next = new double[labelCount];
    for (int position = 1; position < length; position++) {
      for (int to = 0; to < labelCount; to++) {
        double bestScore = Double.NEGATIVE_INFINITY;
        int bestFrom = 0;
        for (int from = 0; from < labelCount; from++) {
          double candidate = score[from] + transitions[from][to];
          if (candidate > bestScore) {
            bestScore = candidate;
            bestFrom = from;
          }
        }
        next[to] = bestScore + emissions[position][to];
        backPointers[position][to] = bestFrom;
      }
      double[] swap = score;
      score = next;
      next = swap;
    }
    int bestLast = 0;
    double bestTotal = Double.NEGATIVE_INFINITY;
    for (int label = 0; label < labelCount; label++) {
      double total = score[label] + end[label];
      if (total > bestTotal) {
        bestTotal = total;
        bestLast = label;
      }
    }
    best[length - 1] = bestLast;
    for (int position = length - 1; position > 0; position--) {
      best[position - 1] = backPointers[position][best[position]];
    }
    return best;
  }
}
