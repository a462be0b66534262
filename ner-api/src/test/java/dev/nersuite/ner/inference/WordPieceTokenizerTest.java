package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Offsets of words on every kind of text, with the bert-base-chinese vocabulary. */
class WordPieceTokenizerTest {
  private static WordPieceTokenizer tokenizer;

  @BeforeAll
  static void load() {
    tokenizer = WordPieceTokenizer.load(TestBundles.lookup().tokenizerJson(), true);
  }

  @AfterAll
  static void close() {
    tokenizer.close();
  }

  /** Each word as the original text between its offsets. */
  private static List<String> words(String text) {
    TokenizedText tokens = tokenizer.tokenize(text);
    int[] codePoints = text.codePoints().toArray();
    List<String> words = new ArrayList<>();
    for (int w = 0; w < tokens.wordCount(); w++) {
      words.add(
          new String(
              codePoints, tokens.wordStart()[w], tokens.wordEnd()[w] - tokens.wordStart()[w]));
    }
    return words;
  }

  @Test
  void eachCjkCharacterAndPunctuationMarkIsAWord() {
    assertThat(words("李明在北京。")).containsExactly("李", "明", "在", "北", "京", "。");
  }

  @Test
  void emojiAndAstralCharactersCountAsOneCodePoint() {
    assertThat(words("😀习近平𠮷野家")).containsExactly("😀", "习", "近", "平", "𠮷", "野", "家");
    TokenizedText tokens = tokenizer.tokenize("😀习");
    assertThat(tokens.wordStart()).containsExactly(0, 1);
    assertThat(tokens.wordEnd()).containsExactly(1, 2);
  }

  @Test
  void aLatinOrDigitRunIsOneWordSpanningAllItsPieces() {
    TokenizedText tokens = tokenizer.tokenize("iPhone15发布");
    assertThat(tokens.pieceCount()).isGreaterThan(tokens.wordCount()); // iphone ##15
    assertThat(words("iPhone15发布")).containsExactly("iPhone15", "发", "布");
    assertThat(words("Apple CEO 2024年")).containsExactly("Apple", "CEO", "2024", "年");
  }

  @Test
  void fullWidthFormsAreNormalisedButOffsetsPointAtTheOriginal() {
    assertThat(words("ＡＢＣ公司１２３")).containsExactly("ＡＢＣ", "公", "司", "１２３");
  }

  @Test
  void whitespaceRunsAreDroppedAndOffsetsStayExact() {
    TokenizedText tokens = tokenizer.tokenize("  北 \t\n 京  ");
    assertThat(tokens.wordStart()).containsExactly(2, 7);
    assertThat(tokens.wordEnd()).containsExactly(3, 8);
  }

  @Test
  void anExpandingCompatibilityCharacterKeepsItsOwnOffsets() {
    assertThat(words("㈱京")).containsExactly("㈱", "㈱", "㈱", "京");
  }

  @Test
  void specialIdsComeFromTheVocabulary() {
    assertThat(tokenizer.clsId()).isEqualTo(101);
    assertThat(tokenizer.sepId()).isEqualTo(102);
    assertThat(tokenizer.padId()).isEqualTo(0);
  }
}
