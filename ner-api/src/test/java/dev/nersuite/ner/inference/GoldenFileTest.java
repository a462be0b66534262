package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays the golden files written by ner-model-export: Java tokenization must give the Python
 * reference's ids, ONNX Runtime must give PyTorch's emissions within the file's tolerance, and the
 * Java decoder must give the Python reference's entities.
 */
class GoldenFileTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  /**
   * The tiny RaNER-layout BERT's golden file, and one for every embedded bundle: a bundle embedded
   * without its golden file fails here. {@code -Dner.test.extra-goldens=FILE,...} adds golden files
   * of bundles too large for the repository (e.g. the fp32 BERT-CRF the int8 bundle comes from);
   * each names its bundle directory relative to itself, as ner-model-export writes it.
   */
  static Stream<Arguments> goldenFiles() {
    Stream<Arguments> extra =
        TestBundles.pathsIn("ner.test.extra-goldens")
            .map(path -> Arguments.of(EXTRA + path, path.toString()));
    return Stream.of(
            Stream.of(Arguments.of("golden/tiny-bert/golden.json", "tiny-bert")),
            ModelBundle.embeddedNames().stream()
                .map(name -> Arguments.of("golden/" + name + "/golden.json", name)),
            extra)
        .flatMap(s -> s);
  }

  private static final String EXTRA = "file:";

  private static ModelBundle bundleFor(String goldenPath, String name, JsonNode golden) {
    if (goldenPath.startsWith(EXTRA)) {
      Path file = Path.of(goldenPath.substring(EXTRA.length()));
      return ModelBundle.fromDirectory(
          file.toAbsolutePath().getParent().resolve(golden.path("bundle").asText()).normalize());
    }
    return name.equals("tiny-bert")
        ? ModelBundle.fromDirectory(TestBundles.resource("golden/tiny-bert"))
        : ModelBundle.embedded(name);
  }

  private InputStream open(String goldenPath) throws IOException {
    return goldenPath.startsWith(EXTRA)
        ? Files.newInputStream(Path.of(goldenPath.substring(EXTRA.length())))
        : getClass().getClassLoader().getResourceAsStream(goldenPath);
  }

  @ParameterizedTest(name = "{1}")
  @MethodSource("goldenFiles")
  void javaReproducesThePythonReference(String goldenPath, String description) throws IOException {
    JsonNode golden;
    try (InputStream in = open(goldenPath)) {
      assertThat(in).as("golden file %s", goldenPath).isNotNull();
      golden = MAPPER.readTree(in);
    }
    double atol = golden.path("atol").asDouble(1e-4);
    ModelBundle bundle = bundleFor(goldenPath, description, golden);
    WordPieceTokenizer tokenizer =
        WordPieceTokenizer.load(bundle.tokenizerJson(), bundle.metadata().nfkc());
    int entitiesSeen = 0;
    try (EntityRecognizer recognizer = bundle.open(1, 4096)) {
      assertThat(golden.path("cases").size()).isGreaterThanOrEqualTo(5);
      for (JsonNode testCase : golden.path("cases")) {
        String text = testCase.path("text").asText();
        PreparedText prepared = recognizer.prepare(text);
        assertThat(prepared.rows()).as("one window for %s", text).hasSize(1);
        long[] expectedIds = MAPPER.convertValue(testCase.path("input_ids"), long[].class);
        assertThat(prepared.rows().get(0)).as("ids of %s", text).containsExactly(expectedIds);

        float[][] emissions =
            recognizer.batchRunner().runRows(prepared.rows(), BatchRunner.CallListener.NONE)[0];
        JsonNode expectedEmissions = testCase.path("emissions");
        assertThat(emissions.length).isEqualTo(expectedEmissions.size());
        double largest = 0;
        for (int t = 0; t < emissions.length; t++) {
          for (int l = 0; l < emissions[t].length; l++) {
            largest =
                Math.max(
                    largest,
                    Math.abs(emissions[t][l] - expectedEmissions.get(t).get(l).asDouble()));
          }
        }
        assertThat(largest)
            .as("largest emission difference for %s", text)
            .isLessThanOrEqualTo(atol);

        List<Entity> actual = recognizer.recognize(List.of(text)).get(0);
        List<String> expected = new ArrayList<>();
        List<Double> expectedProbs = new ArrayList<>();
        for (JsonNode entity : testCase.path("entities")) {
          expected.add(
              describe(
                  entity.path("type").asText(),
                  entity.path("start").asInt(),
                  entity.path("end").asInt(),
                  entity.path("span").asText()));
          expectedProbs.add(entity.path("prob").asDouble());
        }
        assertThat(
                actual.stream().map(e -> describe(e.type(), e.start(), e.end(), e.span())).toList())
            .as("entities of %s", text)
            .containsExactlyElementsOf(expected);
        for (int i = 0; i < actual.size(); i++) {
          assertThat(actual.get(i).prob())
              .isCloseTo(expectedProbs.get(i), org.assertj.core.api.Assertions.within(atol));
        }
        entitiesSeen += actual.size();
      }
    } finally {
      tokenizer.close();
    }
    assertThat(entitiesSeen).as("the golden cases exercise entity decoding").isPositive();
  }

  private static String describe(String type, int start, int end, String span) {
    return type + "[" + start + "," + end + ")" + span;
  }
}
