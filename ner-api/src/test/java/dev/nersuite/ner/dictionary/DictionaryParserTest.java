package dev.nersuite.ner.dictionary;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DictionaryParserTest {
  private static final Set<String> TYPES = Set.of("PER", "LOC", "ORG");

  private static Map<String, String> parse(String text) {
    return DictionaryParser.parse(text.getBytes(StandardCharsets.UTF_8), TYPES);
  }

  @Test
  void forcedAndSuppressedTermsCommentsAndBlankLines() {
    Map<String, String> entries =
        parse(
            "\uFEFF# our names\n"
                + "深度求索\tORG\n"
                + "\n"
                + "   \n"
                + "张三\tPER   # an employee\n"
                + "人大\t-\n"
                + "ＡＢＣ银行\tORG\r\n"
                + "张三\tPER\n");
    assertThat(entries.keySet()).containsExactly("深度求索", "张三", "人大", "ABC银行"); // NFKC
    assertThat(entries.values()).containsExactly("ORG", "PER", null, "ORG");
  }

  @Test
  void aBadLineRejectsTheFileAndNamesTheLine() {
    assertThatThrownBy(() -> parse("张三\tPER\n李四 PER\n"))
        .isInstanceOf(DictionaryFormatException.class)
        .hasMessage("line 2: expected 'term<TAB>TYPE' or 'term<TAB>-', found no tab");
    assertThatThrownBy(() -> parse("张三\tPER\n\n上海\tCITY\n"))
        .hasMessageStartingWith("line 3: unknown type 'CITY'");
    assertThatThrownBy(() -> parse("\tORG\n")).hasMessage("line 1: the term is empty");
    assertThatThrownBy(() -> parse("张三\tPER\t1\n")).hasMessage("line 1: more than one tab");
    assertThatThrownBy(() -> parse("张三\tPER\n张三\t-\n"))
        .hasMessage("line 2: '张三' is listed before with another type");
    assertThatThrownBy(
            () -> DictionaryParser.parse(new byte[] {(byte) 0xE5, (byte) 0x8C, 0x09, 0x4F}, TYPES))
        .hasMessage("the file is not valid UTF-8");
  }
}
