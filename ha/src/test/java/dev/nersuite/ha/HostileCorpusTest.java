package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ha.HostileCorpus.HostileRequest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class HostileCorpusTest {
  private static final List<HostileRequest> CORPUS = HostileCorpus.build();

  @Test
  void atLeastTwoHundredRequestsCoveringEveryKindTheIssueLists() {
    assertThat(CORPUS).hasSizeGreaterThanOrEqualTo(200);
    Set<String> categories =
        CORPUS.stream().map(HostileRequest::category).collect(Collectors.toSet());
    assertThat(categories)
        .contains(
            "malformed-json",
            "truncated-json",
            "wrong-types",
            "nulls",
            "huge-bodies",
            "deep-nesting",
            "invalid-utf8",
            "control-characters",
            "lone-surrogates",
            "megabyte-texts",
            "content-types",
            "unknown-fields",
            "methods-and-paths");
    assertThat(CORPUS.stream().map(HostileRequest::name).distinct().count())
        .isEqualTo(CORPUS.size());
  }

  @Test
  void invalidUtf8RequestsReallyAreInvalidUtf8() {
    List<HostileRequest> invalid =
        CORPUS.stream()
            .filter(r -> r.category().equals("invalid-utf8") && r.name().contains("bytes"))
            .toList();
    assertThat(invalid).hasSizeGreaterThanOrEqualTo(15);
    for (HostileRequest request : invalid) {
      assertThat(decodesAsUtf8(request.body())).as(request.name()).isFalse();
    }
  }

  @Test
  void truncatedBodiesAreProperPrefixesThatNeverParse() {
    List<HostileRequest> truncated =
        CORPUS.stream().filter(r -> r.category().equals("truncated-json")).toList();
    assertThat(truncated).hasSizeGreaterThanOrEqualTo(30);
    for (HostileRequest request : truncated) {
      String text = new String(request.body(), StandardCharsets.UTF_8);
      assertThat(text).as(request.name()).startsWith("{").doesNotEndWith("}");
    }
  }

  @Test
  void hugeBodiesStraddleTheServiceAndGatewayLimits() {
    List<Integer> sizes =
        CORPUS.stream()
            .filter(r -> r.category().equals("huge-bodies"))
            .map(HostileRequest::bodyLength)
            .toList();
    // Between the service's 2 MB and the gateway's 4 MB, and beyond both.
    assertThat(sizes).anyMatch(size -> size > HostileCorpus.SERVICE_BODY_LIMIT && size < 4 << 20);
    assertThat(sizes).anyMatch(size -> size > 4 << 20);
    assertThat(CORPUS)
        .anyMatch(r -> r.chunked() && r.bodyLength() > HostileCorpus.SERVICE_BODY_LIMIT);
    assertThat(CORPUS)
        .filteredOn(r -> r.category().equals("megabyte-texts"))
        .anyMatch(r -> r.bodyLength() >= 1_000_000);
  }

  @Test
  void repeatCutsCodePointsNotChars() {
    String emoji = HostileCorpus.repeat("😀李", 5);
    assertThat(emoji.codePointCount(0, emoji.length())).isEqualTo(5);
    assertThat(emoji).isEqualTo("😀李😀李😀");
  }

  private static boolean decodesAsUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
