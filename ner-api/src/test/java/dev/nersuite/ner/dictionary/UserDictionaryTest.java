package dev.nersuite.ner.dictionary;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UserDictionaryTest {
  private static UserDictionary dictionary(String... termsAndTypes) {
    Map<String, String> entries = new LinkedHashMap<>();
    for (int i = 0; i < termsAndTypes.length; i += 2) {
      entries.put(termsAndTypes[i], termsAndTypes[i + 1]);
    }
    return new UserDictionary(entries);
  }

  @Test
  void matchesAreLeftmostLongestAndDoNotOverlap() {
    UserDictionary dictionary =
        dictionary("北京", "LOC", "北京大学", "ORG", "大学城", "LOC", "学城", "LOC", "城", "LOC");
    // 北京大学 (leftmost, longest) wins over 北京; 大学城 starts inside it; then 城 alone.
    assertThat(dictionary.matches("在北京大学城"))
        .containsExactly(
            new UserDictionary.Match("ORG", 1, 5, "北京大学"),
            new UserDictionary.Match("LOC", 5, 6, "城"));
    // at the same start the longest; a shorter one inside is not taken
    assertThat(dictionary.matches("北京人"))
        .containsExactly(new UserDictionary.Match("LOC", 0, 2, "北京"));
  }

  @Test
  void offsetsAreCodePointsOfTheOriginalTextAfterNfkcMatching() {
    UserDictionary dictionary = dictionary("ABC银行", "ORG", "株", "ORG");
    // 😀 is one code point (two UTF-16 units); ＡＢＣ is full-width and matches after NFKC
    List<UserDictionary.Match> matches = dictionary.matches("😀在ＡＢＣ银行，㈱");
    assertThat(matches)
        .containsExactly(
            new UserDictionary.Match("ORG", 2, 7, "ＡＢＣ银行"),
            // ㈱ becomes (株): the match maps back to the whole original character
            new UserDictionary.Match("ORG", 8, 9, "㈱"));
  }

  @Test
  void suppressionComparesTheNormalisedSpan() {
    UserDictionary dictionary = dictionary("人大", null, "ABC", null);
    assertThat(dictionary.suppresses("人大")).isTrue();
    assertThat(dictionary.suppresses("ＡＢＣ")).isTrue();
    assertThat(dictionary.suppresses("人大常委会")).isFalse();
    assertThat(dictionary.matches("人大")).isEmpty();
    assertThat(dictionary.entries()).isEqualTo(2);
  }

  @Test
  void theEmptyDictionaryChangesNothing() {
    assertThat(UserDictionary.EMPTY.matches("北京")).isEmpty();
    assertThat(UserDictionary.EMPTY.suppresses("北京")).isFalse();
    assertThat(UserDictionary.EMPTY.entries()).isZero();
  }
}
