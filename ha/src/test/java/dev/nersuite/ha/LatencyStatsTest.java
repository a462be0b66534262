package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyStatsTest {
  @Test
  void nearestRankPercentilesOfOneToHundred() {
    List<Double> values = new ArrayList<>();
    for (int i = 100; i >= 1; i--) {
      values.add((double) i);
    }
    Collections.shuffle(values, new java.util.Random(7));
    LatencyStats stats = new LatencyStats(values);
    assertThat(stats.count()).isEqualTo(100);
    assertThat(stats.percentile(0.5)).isEqualTo(50.0);
    assertThat(stats.percentile(0.99)).isEqualTo(99.0);
    assertThat(stats.percentile(1.0)).isEqualTo(100.0);
    assertThat(stats.max()).isEqualTo(100.0);
  }

  @Test
  void oneSlowOutlierInTwoHundredShowsInP99OnlyIfAboveOnePercent() {
    List<Double> values = new ArrayList<>(Collections.nCopies(199, 10.0));
    values.add(5000.0);
    assertThat(new LatencyStats(values).percentile(0.99)).isEqualTo(10.0);
    values.add(5000.0);
    values.add(5000.0);
    assertThat(new LatencyStats(values).percentile(0.99)).isEqualTo(5000.0);
  }

  @Test
  void emptyIsNaNAndBadQuantilesAreRefused() {
    LatencyStats empty = new LatencyStats(List.of());
    assertThat(empty.percentile(0.5)).isNaN();
    assertThatThrownBy(() -> empty.percentile(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> empty.percentile(1.5)).isInstanceOf(IllegalArgumentException.class);
  }
}
