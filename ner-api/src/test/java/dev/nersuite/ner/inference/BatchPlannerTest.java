package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class BatchPlannerTest {

  @Test
  void groupsSimilarLengthsWithinTheTokenBudget() {
    List<int[]> calls = BatchPlanner.group(new int[] {10, 500, 12, 11, 480}, 1000);
    assertThat(calls).hasSize(2);
    assertThat(calls.get(0)).containsExactly(0, 3, 2);
    assertThat(calls.get(1)).containsExactly(4, 1);
  }

  @Test
  void aRowLongerThanTheBudgetGetsACallOfItsOwn() {
    List<int[]> calls = BatchPlanner.group(new int[] {600, 5}, 100);
    assertThat(calls).hasSize(2);
    assertThat(calls.get(1)).containsExactly(0);
  }

  @RepeatedTest(20)
  void everyRowIsInExactlyOneCallAndNoCallExceedsTheBudget() {
    Random random = new Random();
    int[] lengths = random.ints(1 + random.nextInt(200), 3, 513).toArray();
    int budget = 512 + random.nextInt(8192);
    List<int[]> calls = BatchPlanner.group(lengths, budget);
    int[] seen = new int[lengths.length];
    for (int[] call : calls) {
      int longest = Arrays.stream(call).map(i -> lengths[i]).max().orElseThrow();
      assertThat((long) longest * call.length).isLessThanOrEqualTo(Math.max(budget, longest));
      for (int index : call) {
        seen[index]++;
      }
    }
    assertThat(seen).containsOnly(1);
  }
}
