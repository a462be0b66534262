package dev.nersuite.ner.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nersuite.ner.dictionary.UserDictionary;
import dev.nersuite.ner.inference.Entity;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PostProcessorTest {
  private static final String TEXT = "李明在深度求索公司和人大工作。";
  private static final List<Entity> MODEL =
      List.of(
          new Entity("PER", 0, 2, "李明", 0.95),
          new Entity("ORG", 5, 9, "求索公司", 0.61),
          new Entity("ORG", 10, 12, "人大", 0.7));

  private static UserDictionary dictionary() {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("深度求索", "ORG");
    entries.put("人大", null);
    return new UserDictionary(entries);
  }

  private static List<String> describe(List<Mention> mentions) {
    return mentions.stream()
        .map(
            m ->
                m.type()
                    + "["
                    + m.start()
                    + ","
                    + m.end()
                    + ")"
                    + m.span()
                    + "/"
                    + m.source().label())
        .toList();
  }

  @Test
  void dictionaryMatchesReplaceOverlappingModelEntitiesAndSuppressedSpansGo() {
    List<Mention> out = PostProcessor.apply(TEXT, MODEL, dictionary(), RecognitionOptions.DEFAULTS);
    assertThat(describe(out)).containsExactly("PER[0,2)李明/model", "ORG[3,7)深度求索/dictionary");
    assertThat(out.get(1).prob()).isEqualTo(1.0);
  }

  @Test
  void dictionaryFalseGivesTheModelOutputAlone() {
    List<Mention> out =
        PostProcessor.apply(
            TEXT, MODEL, dictionary(), new RecognitionOptions(null, null, null, false));
    assertThat(describe(out))
        .containsExactly("PER[0,2)李明/model", "ORG[5,9)求索公司/model", "ORG[10,12)人大/model");
  }

  @Test
  void typesAndMinProbOnlyChooseAmongWhatWasFound() {
    RecognitionOptions orgOnly = new RecognitionOptions(null, List.of("ORG"), null, false);
    assertThat(describe(PostProcessor.apply(TEXT, MODEL, UserDictionary.EMPTY, orgOnly)))
        .containsExactly("ORG[5,9)求索公司/model", "ORG[10,12)人大/model");
    RecognitionOptions confident = new RecognitionOptions(null, null, 0.7, false);
    assertThat(describe(PostProcessor.apply(TEXT, MODEL, UserDictionary.EMPTY, confident)))
        .containsExactly("PER[0,2)李明/model", "ORG[10,12)人大/model");
    // dictionary entities have prob 1.0 and pass any threshold; the type filter applies to them too
    RecognitionOptions both = new RecognitionOptions(null, List.of("ORG"), 0.99, true);
    assertThat(describe(PostProcessor.apply(TEXT, MODEL, dictionary(), both)))
        .containsExactly("ORG[3,7)深度求索/dictionary");
  }
}
