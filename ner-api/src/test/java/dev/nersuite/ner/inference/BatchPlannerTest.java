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

  @Test
  void aShortRowNeverSharesACallWithAMuchLongerOne() {
    // budget enough for all of them in one call; padding decides
    List<int[]> calls = BatchPlanner.group(new int[] {40, 12, 10, 50, 11, 200}, 100_000);
    assertThat(calls).hasSize(3);
    assertThat(calls.get(0)).containsExactly(2, 4, 1); // 10, 11, 12
    assertThat(calls.get(1)).containsExactly(0, 3); // 40, 50 (50 <= 40 * 1.25 + 8)
    assertThat(calls.get(2)).containsExactly(5);
  }

  @Test
  void aRowBoundOfOneRunsEveryRowAlone() {
    List<int[]> calls = BatchPlanner.group(new int[] {10, 10, 11, 10}, 100_000, 1);
    assertThat(calls).hasSize(4).allMatch(call -> call.length == 1);
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
      int shortest = Arrays.stream(call).map(i -> lengths[i]).min().orElseThrow();
      assertThat((long) longest * call.length).isLessThanOrEqualTo(Math.max(budget, longest));
      assertThat((long) longest).isLessThanOrEqualTo(BatchPlanner.widestAllowed(shortest));
      for (int index : call) {
        seen[index]++;
      }
    }
    assertThat(seen).containsOnly(1);
  }
}
