package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Batching never changes a result, for every kind of bundle (a BiGRU, a BERT, the lookup graph): a
 * text's emissions alone equal its emissions beside any neighbours, padded to a longer row, under
 * any budget of padded tokens, and each group gets back exactly its own rows.
 */
class BatchRunnerTest {
  private static final List<String> TEXTS =
      List.of(
          "李明在北京大学读书。",
          "新华社北京3月5日电，国务院总理李强在人民大会堂作政府工作报告。",
          "京",
          "😀张伟去了上海，Apple公司CEO在2024年访问了ＡＢＣ银行和甲乙。",
          "的".repeat(40) + "李明" + "在".repeat(25));

  /**
   * Every kind of bundle at hand: the test bundles, every embedded one, and the bundle directories
   * named by the system property {@code ner.test.extra-bundles} (comma-separated; e.g. a BERT
   * bundle and its int8 variant, which are too large to keep in the repository).
   */
  static Stream<Arguments> bundles() {
    Stream<Arguments> fixed =
        Stream.of(
            Arguments.of("lookup graph", TestBundles.lookup()),
            Arguments.of(
                "tiny BERT", ModelBundle.fromDirectory(TestBundles.resource("golden/tiny-bert"))));
    Stream<Arguments> embedded =
        ModelBundle.embeddedNames().stream().map(n -> Arguments.of(n, ModelBundle.embedded(n)));
    Stream<Arguments> extra =
        TestBundles.pathsIn("ner.test.extra-bundles")
            .map(dir -> Arguments.of(dir.toString(), ModelBundle.fromDirectory(dir)));
    return Stream.concat(Stream.concat(fixed, embedded), extra);
  }

  @Test
  void aGraphThatQuantisesItsActivationsPerCallRunsEveryRowAlone() {
    // ONNX Runtime's dynamic quantisation: one activation scale per tensor, over the whole call
    byte[] int8 = "...\u0012\u0015DynamicQuantizeLinear...".getBytes(StandardCharsets.US_ASCII);
    assertThat(EmissionModel.quantisesPerCall(int8)).isTrue();
    assertThat(EmissionModel.quantisesPerCall("MatMulInteger".getBytes(StandardCharsets.US_ASCII)))
        .isFalse();
    try (EntityRecognizer recognizer = TestBundles.lookup().open(1, 100_000)) {
      assertThat(recognizer.emissionModel().rowsMustRunAlone()).isFalse();
      assertThat(recognizer.batchRunner().maxRows()).isEqualTo(Integer.MAX_VALUE);
      // what a graph that must run rows alone gets: one row per call, whatever the budget
      BatchRunner alone =
          new BatchRunner(emissions(recognizer), padId(TestBundles.lookup()), 100_000, 1);
      List<List<long[]>> groups = new ArrayList<>();
      TEXTS.forEach(text -> groups.add(recognizer.prepare(text).rows()));
      List<Integer> rowsPerCall = new ArrayList<>();
      alone.run(groups, (rows, tokens, nanos) -> rowsPerCall.add(rows));
      assertThat(rowsPerCall).hasSize(groups.stream().mapToInt(List::size).sum()).containsOnly(1);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("bundles")
  void aRowsEmissionsDoNotDependOnItsBatch(String name, ModelBundle bundle) {
    try (EntityRecognizer recognizer = bundle.open(1, 1)) {
      List<List<long[]>> groups = new ArrayList<>();
      TEXTS.forEach(text -> groups.add(recognizer.prepare(text).rows()));
      // alone: a budget of 1 token puts every row in a call of its own
      List<float[][][]> alone =
          new BatchRunner(emissions(recognizer), padId(bundle), 1).run(groups, none());
      for (int budget : new int[] {64, 512, 100_000}) {
        List<int[]> calls = new ArrayList<>();
        List<float[][][]> batched =
            new BatchRunner(emissions(recognizer), padId(bundle), budget)
                .run(groups, (rows, tokens, nanos) -> calls.add(new int[] {rows, (int) tokens}));
        assertThat(batched).hasSameSizeAs(groups);
        for (int g = 0; g < groups.size(); g++) {
          assertThat(batched.get(g).length).isEqualTo(groups.get(g).size());
          for (int r = 0; r < groups.get(g).size(); r++) {
            assertThat(batched.get(g)[r].length).isEqualTo(groups.get(g).get(r).length);
            assertClose(alone.get(g)[r], batched.get(g)[r], name + " budget " + budget);
          }
        }
        // the budget is respected by every call of more than one row
        assertThat(calls).allMatch(call -> call[0] == 1 || call[1] <= budget);
      }
      // every row in one call, padded to the longest (the planner itself never pads that much)
      List<long[]> allRows = new ArrayList<>();
      groups.forEach(allRows::addAll);
      if (emissions(recognizer).rowsMustRunAlone()) {
        assertThat(recognizer.batchRunner().maxRows()).isEqualTo(1);
      } else {
        float[][][] padded = emissions(recognizer).run(allRows, padId(bundle));
        int next = 0;
        for (int g = 0; g < groups.size(); g++) {
          for (int r = 0; r < groups.get(g).size(); r++) {
            assertClose(alone.get(g)[r], padded[next++], name + " all in one padded call");
          }
        }
      }
      // and the recognizer's own path (which uses the runner) gives the same entities either way
      for (String text : TEXTS) {
        assertThat(recognizer.recognize(List.of(text)).get(0))
            .isEqualTo(recognizer.recognize(TEXTS).get(TEXTS.indexOf(text)));
      }
    }
  }

  private static EmissionModel emissions(EntityRecognizer recognizer) {
    return recognizer.emissionModel();
  }

  private static long padId(ModelBundle bundle) {
    WordPieceTokenizer tokenizer =
        WordPieceTokenizer.load(bundle.tokenizerJson(), bundle.metadata().nfkc());
    try {
      return tokenizer.padId();
    } finally {
      tokenizer.close();
    }
  }

  private static BatchRunner.CallListener none() {
    return BatchRunner.CallListener.NONE;
  }

  private static void assertClose(float[][] expected, float[][] actual, String what) {
    double largest = 0;
    for (int t = 0; t < expected.length; t++) {
      for (int l = 0; l < expected[t].length; l++) {
        largest = Math.max(largest, Math.abs(expected[t][l] - actual[t][l]));
      }
    }
    assertThat(largest).as(what).isLessThanOrEqualTo(1e-4);
  }
}
