package dev.nersuite.ner.inference;

import dev.nersuite.ner.inference.TagScheme.Prefix;
import dev.nersuite.ner.inference.TagScheme.Tag;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a label sequence into chunks with the exact rules of the ModelScope pipeline's {@code
 * _chunk_process}. Immutable and thread-safe.
 *
 * <p>Per position, in order: B or S starts a new chunk (closing an open one); I or E with no open
 * chunk starts one; I, E and S set the chunk's end; E and S close it; O does nothing, so an open
 * chunk stays open across O. The chunk's type is that of the tag that started it.
 */
public final class TagChunker {
  private final Tag[] tags;

  /**
   * @param labels label names in id order
   */
  public TagChunker(List<String> labels) {
    this.tags = labels.stream().map(TagScheme::parse).toArray(Tag[]::new);
  }

  /**
   * A chunk over label positions.
   *
   * @param type entity type
   * @param first first label position
   * @param last last label position, inclusive
   */
  public record Chunk(String type, int first, int last) {}

  /** Chunks the label ids of one sequence. */
  public List<Chunk> chunk(int[] labelIds) {
    List<Chunk> chunks = new ArrayList<>();
    String openType = null;
    int openFirst = -1;
    int openLast = -1;
    for (int position = 0; position < labelIds.length; position++) {
      Tag tag = tags[labelIds[position]];
      Prefix prefix = tag.prefix();
      if (prefix == Prefix.O) {
        continue;
      }
      boolean starts = prefix == Prefix.B || prefix == Prefix.S || openType == null;
      if (starts) {
        if (openType != null) {
          chunks.add(new Chunk(openType, openFirst, openLast));
        }
        openType = tag.type();
        openFirst = position;
        openLast = position;
      }
      if (prefix != Prefix.B) {
        openLast = position;
      }
      if (prefix == Prefix.E || prefix == Prefix.S) {
        chunks.add(new Chunk(openType, openFirst, openLast));
        openType = null;
      }
    }
    if (openType != null) {
      chunks.add(new Chunk(openType, openFirst, openLast));
    }
    return chunks;
  }
}
