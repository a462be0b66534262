package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ner.inference.TagChunker.Chunk;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagChunkerTest {
  private static final List<String> LABELS =
      List.of("O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC");
  private final TagChunker chunker = new TagChunker(LABELS);

  private List<Chunk> chunk(String... tags) {
    return chunker.chunk(java.util.Arrays.stream(tags).mapToInt(LABELS::indexOf).toArray());
  }

  @Test
  void completeChunksOfEveryShape() {
    assertThat(chunk("B-PER", "I-PER", "E-PER", "O", "S-LOC", "B-LOC", "E-LOC"))
        .containsExactly(new Chunk("PER", 0, 2), new Chunk("LOC", 4, 4), new Chunk("LOC", 5, 6));
  }

  @Test
  void insideOrEndWithoutBeginStartsAChunk() {
    assertThat(chunk("O", "I-PER", "E-PER", "O", "E-LOC"))
        .containsExactly(new Chunk("PER", 1, 2), new Chunk("LOC", 4, 4));
  }

  @Test
  void outsideInsideAnOpenChunkKeepsItOpenWithoutExtendingIt() {
    assertThat(chunk("B-PER", "O", "O", "I-PER", "E-PER")).containsExactly(new Chunk("PER", 0, 4));
    assertThat(chunk("B-PER", "I-PER", "O", "O")).containsExactly(new Chunk("PER", 0, 1));
  }

  @Test
  void beginOrSingleClosesTheOpenChunk() {
    assertThat(chunk("B-PER", "I-PER", "B-LOC", "E-LOC"))
        .containsExactly(new Chunk("PER", 0, 1), new Chunk("LOC", 2, 3));
    assertThat(chunk("B-PER", "S-LOC", "O"))
        .containsExactly(new Chunk("PER", 0, 0), new Chunk("LOC", 1, 1));
  }

  @Test
  void laterTypesAreNotCheckedAgainstTheChunkType() {
    assertThat(chunk("B-PER", "I-LOC", "E-LOC")).containsExactly(new Chunk("PER", 0, 2));
  }

  @Test
  void aChunkStillOpenAtTheEndIsClosedThere() {
    assertThat(chunk("O", "B-LOC", "I-LOC")).containsExactly(new Chunk("LOC", 1, 2));
    assertThat(chunk("B-LOC")).containsExactly(new Chunk("LOC", 0, 0));
  }

  @Test
  void nothingForNoTagsOrOnlyOutside() {
    assertThat(chunk()).isEmpty();
    assertThat(chunk("O", "O")).isEmpty();
  }

  @Test
  void bioLabelsUseTheSameRules() {
    TagChunker bio = new TagChunker(List.of("O", "B-ORG", "I-ORG"));
    assertThat(bio.chunk(new int[] {1, 2, 0, 2, 1}))
        .containsExactly(new Chunk("ORG", 0, 3), new Chunk("ORG", 4, 4));
  }
}
