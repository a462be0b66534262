package dev.nersuite.ner.service;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecognitionOptionsTest {
  private static final Set<String> MODEL = Set.of("GPE", "LOC", "PER");
  private static final Set<String> DICTIONARY = Set.of("ORG");

  private static RecognitionOptions types(List<String> types, boolean dictionary) {
    return new RecognitionOptions(null, types, null, dictionary);
  }

  @Test
  void aTypeOnlyTheDictionaryGivesMayBeAskedForWhileTheDictionaryApplies() {
    assertThatCode(() -> types(List.of("ORG", "PER"), true).validate(MODEL, DICTIONARY))
        .doesNotThrowAnyException();
    assertThatThrownBy(() -> types(List.of("ORG"), false).validate(MODEL, DICTIONARY))
        .hasMessageContaining("'types' has 'ORG'; known here: [GPE, LOC, PER]");
  }

  @Test
  void emptyOrUnknownTypesAndThresholdsOutsideZeroToOneAreRefused() {
    for (RecognitionOptions bad :
        List.of(
            types(List.of(), true),
            types(List.of("TIME"), true),
            new RecognitionOptions(null, null, 1.01, true),
            new RecognitionOptions(null, null, -0.01, true),
            new RecognitionOptions(null, null, Double.NaN, true))) {
      assertThatThrownBy(() -> bad.validate(MODEL, DICTIONARY))
          .isInstanceOf(InvalidRequestException.class)
          .extracting(e -> ((InvalidRequestException) e).code())
          .isEqualTo("INVALID_FIELD");
    }
  }
}
