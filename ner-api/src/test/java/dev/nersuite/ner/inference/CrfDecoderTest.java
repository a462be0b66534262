package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class CrfDecoderTest {

  @Test
  void startEndAndTransitionScoresDecideAgainstEmissions() {
    // Emissions alone would pick label 0 then 0; a large 0->0 penalty and an end bonus for 1 flip
    // it.
    ModelMetadata.Crf crf =
        new ModelMetadata.Crf(
            new float[] {0, 0}, new float[] {0, 3}, new float[][] {{-10, 0}, {0, 0}});
    float[][] emissions = {{1, 0}, {1, 0}};
    assertThat(new CrfDecoder(crf).decode(emissions)).containsExactly(0, 1);
  }

  @Test
  void emptySequenceDecodesToNothing() {
    ModelMetadata.Crf crf =
        new ModelMetadata.Crf(new float[] {0}, new float[] {0}, new float[][] {{0}});
    assertThat(new CrfDecoder(crf).decode(new float[0][])).isEmpty();
  }

  @RepeatedTest(25)
  void matchesBruteForceOnRandomProblems() {
    Random random = new Random();
    int labels = 2 + random.nextInt(4);
    int length = 1 + random.nextInt(5);
    ModelMetadata.Crf crf =
        new ModelMetadata.Crf(
            vector(random, labels), vector(random, labels), matrix(random, labels, labels));
    float[][] emissions = matrix(random, length, labels);
    int[] decoded = new CrfDecoder(crf).decode(emissions);
    assertThat(score(crf, emissions, decoded))
        .isEqualTo(bestScore(crf, emissions), org.assertj.core.api.Assertions.within(1e-9));
  }

  private static double bestScore(ModelMetadata.Crf crf, float[][] emissions) {
    int labels = crf.start().length;
    int length = emissions.length;
    double best = Double.NEGATIVE_INFINITY;
    int[] path = new int[length];
    for (int code = 0; code < Math.pow(labels, length); code++) {
      int rest = code;
      for (int i = 0; i < length; i++) {
        path[i] = rest % labels;
        rest /= labels;
      }
      best = Math.max(best, score(crf, emissions, path));
    }
    return best;
  }

  private static double score(ModelMetadata.Crf crf, float[][] emissions, int[] path) {
    double total = (double) crf.start()[path[0]] + crf.end()[path[path.length - 1]];
    for (int i = 0; i < path.length; i++) {
      total += emissions[i][path[i]];
      if (i > 0) {
        total += crf.transitions()[path[i - 1]][path[i]];
      }
    }
    return total;
  }

  private static float[] vector(Random random, int size) {
    float[] values = new float[size];
    for (int i = 0; i < size; i++) {
      values[i] = (float) random.nextGaussian();
    }
    return values;
  }

  private static float[][] matrix(Random random, int rows, int columns) {
    float[][] values = new float[rows][];
    for (int i = 0; i < rows; i++) {
      values[i] = vector(random, columns);
    }
    return values;
  }
}
