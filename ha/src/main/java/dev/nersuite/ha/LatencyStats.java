package dev.nersuite.ha;

import java.util.Collection;

/** Nearest-rank percentiles of a set of latencies in milliseconds. Immutable and thread-safe. */
public final class LatencyStats {
  private final double[] sorted;

  public LatencyStats(Collection<Double> millis) {
    this.sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
  }

  public int count() {
    return sorted.length;
  }

  /**
   * The smallest value with at least {@code quantile} of all values at or below it, or NaN when
   * empty.
   */
  public double percentile(double quantile) {
    if (quantile <= 0 || quantile > 1) {
      throw new IllegalArgumentException("quantile must be in (0, 1]: " + quantile);
    }
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(quantile * sorted.length);
    return sorted[Math.max(0, rank - 1)];
  }

  public double max() {
    return sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1];
  }
}
