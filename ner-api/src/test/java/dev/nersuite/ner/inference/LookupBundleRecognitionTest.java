package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * End to end on real ONNX Runtime with the lookup bundle, whose right answer for any text is known:
 * every 京 is LOC, every 李明 PER, every 甲乙 ORG. Its rows hold 30 pieces, so long texts cross many
 * window boundaries.
 */
class LookupBundleRecognitionTest {
  private static final String[] FILLER = {
    "的", "在", "了", "是", "，", "。", "我", "们", "a", "12", "😀", " "
  };
  private static EntityRecognizer recognizer;

  @BeforeAll
  static void open() {
    recognizer = TestBundles.lookup().open(1, 256);
  }

  @AfterAll
  static void close() {
    recognizer.close();
  }

  /** A random text with the entities it must yield. */
  private record Sample(String text, List<Entity> expected) {}

  private static Sample sample(Random random, int parts) {
    StringBuilder text = new StringBuilder();
    List<Entity> expected = new ArrayList<>();
    int codePoints = 0;
    for (int i = 0; i < parts; i++) {
      int choice = random.nextInt(10);
      String piece;
      String type = null;
      if (choice == 0) {
        piece = "京";
        type = "LOC";
      } else if (choice == 1) {
        piece = "李明";
        type = "PER";
      } else if (choice == 2) {
        piece = "甲乙";
        type = "ORG";
      } else {
        piece = FILLER[random.nextInt(FILLER.length)];
      }
      int length = piece.codePointCount(0, piece.length());
      if (type != null) {
        expected.add(new Entity(type, codePoints, codePoints + length, piece, 0));
      }
      text.append(piece);
      codePoints += length;
    }
    return new Sample(text.toString(), expected);
  }

  private static void assertSame(List<Entity> actual, List<Entity> expected) {
    assertThat(actual)
        .extracting(Entity::type, Entity::start, Entity::end, Entity::span)
        .containsExactlyElementsOf(
            expected.stream()
                .map(
                    e ->
                        org.assertj.core.groups.Tuple.tuple(e.type(), e.start(), e.end(), e.span()))
                .toList());
  }

  @Test
  void aLongDocumentAcrossManyWindowsLosesAndRepeatsNothing() {
    Random random = new Random(7);
    for (int round = 0; round < 5; round++) {
      Sample sample = sample(random, 2_000);
      PreparedText prepared = recognizer.prepare(sample.text());
      assertThat(prepared.windows().size()).isGreaterThan(50);
      assertSame(recognizer.recognize(List.of(sample.text())).get(0), sample.expected());
    }
  }

  @Test
  void everyEntityAtEveryPositionAcrossAWindowBoundaryIsFoundOnce() {
    // Slide one entity through the first window boundaries one character at a time.
    for (String entity : new String[] {"京", "李明", "甲乙"}) {
      for (int offset = 0; offset < 80; offset++) {
        String text = "的".repeat(offset) + entity + "的".repeat(80 - offset);
        List<Entity> found = recognizer.recognize(List.of(text)).get(0);
        assertThat(found).hasSize(1);
        assertThat(found.get(0).start()).isEqualTo(offset);
        assertThat(found.get(0).span()).isEqualTo(entity);
      }
    }
  }

  @Test
  void batchingAndPaddingNeverChangeAResult() {
    Random random = new Random(11);
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      samples.add(sample(random, 1 + random.nextInt(i % 3 == 0 ? 400 : 20)));
    }
    List<List<Entity>> batched = recognizer.recognize(samples.stream().map(Sample::text).toList());
    for (int i = 0; i < samples.size(); i++) {
      List<Entity> alone = recognizer.recognize(List.of(samples.get(i).text())).get(0);
      assertThat(batched.get(i)).isEqualTo(alone);
      assertSame(alone, samples.get(i).expected());
    }
  }

  @Test
  void probIsTheSoftmaxOfTheFirstPositionForItsTag() {
    Entity entity = recognizer.recognize(List.of("的京")).get(0).get(0);
    // Row of 京: S-LOC 10, everything else 0, over 13 labels.
    double expected = Math.exp(10) / (Math.exp(10) + 12);
    assertThat(entity.prob()).isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-6));
  }

  @Test
  void aTextOfOnlyWhitespaceOrUnknownCharactersHasNoEntities() {
    assertThat(recognizer.recognize(List.of(" \t\n", "😀😀")).get(0)).isEmpty();
  }
}
