package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ha.NewsCorpus.Entity;
import java.util.List;
import org.junit.jupiter.api.Test;

class NewsCorpusTest {
  @Test
  void fixtureHasDistinctSentencesOfMixedLengths() {
    List<String> sentences = NewsCorpus.loadSentences();
    assertThat(sentences).hasSizeGreaterThanOrEqualTo(30).doesNotHaveDuplicates();
    assertThat(sentences).anyMatch(s -> s.codePointCount(0, s.length()) < 20);
    assertThat(sentences).anyMatch(s -> s.codePointCount(0, s.length()) > 150);
    assertThat(sentences).noneMatch(s -> s.startsWith("#"));
  }

  @Test
  void entitiesAreTheSameOnlyWhenEverythingButRoundingMatches() {
    Entity reference = new Entity("LOC", 3, 5, "北京", 0.9922253);
    assertThat(reference.sameAs(new Entity("LOC", 3, 5, "北京", 0.9922253 + 1e-9))).isTrue();
    assertThat(reference.sameAs(new Entity("LOC", 3, 5, "北京", 0.9922253 + 1e-3))).isFalse();
    assertThat(reference.sameAs(new Entity("ORG", 3, 5, "北京", 0.9922253))).isFalse();
    assertThat(reference.sameAs(new Entity("LOC", 3, 6, "北京", 0.9922253))).isFalse();
    assertThat(NewsCorpus.same(List.of(reference), List.of())).isFalse();
    assertThat(NewsCorpus.same(List.of(reference), List.of(reference))).isTrue();
  }
}
