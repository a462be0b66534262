package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NormalizedTextTest {

  @Test
  void alreadyNormalTextMapsEachCodePointToItself() {
    NormalizedText text = NormalizedText.nfkc("😀习a");
    assertThat(text.text()).isEqualTo("😀习a");
    assertThat(text.originalLength()).isEqualTo(3);
    assertThat(text.originalStart(1)).isEqualTo(1);
    assertThat(text.originalEnd(1)).isEqualTo(2);
  }

  @Test
  void fullWidthFormsMapBackOneToOne() {
    NormalizedText text = NormalizedText.nfkc("ＡＢＣ１２公司");
    assertThat(text.text()).isEqualTo("ABC12公司");
    for (int i = 0; i < 7; i++) {
      assertThat(text.originalStart(i)).isEqualTo(i);
      assertThat(text.originalEnd(i)).isEqualTo(i + 1);
    }
  }

  @Test
  void anExpansionMapsEveryOutputCodePointToItsSource() {
    NormalizedText text = NormalizedText.nfkc("x㈱y");
    assertThat(text.text()).isEqualTo("x(株)y");
    assertThat(text.originalStart(1)).isEqualTo(1);
    assertThat(text.originalEnd(3)).isEqualTo(2);
    assertThat(text.originalStart(4)).isEqualTo(2);
  }

  @Test
  void aBaseWithItsCombiningMarkIsOneCluster() {
    NormalizedText text = NormalizedText.nfkc("e\u0301！");
    assertThat(text.text()).isEqualTo("é!");
    assertThat(text.originalStart(0)).isEqualTo(0);
    assertThat(text.originalEnd(0)).isEqualTo(2);
    assertThat(text.originalStart(1)).isEqualTo(2);
  }

  @Test
  void identityKeepsTheTextAsItIs() {
    NormalizedText text = NormalizedText.identity("ＡＢ");
    assertThat(text.text()).isEqualTo("ＡＢ");
    assertThat(text.originalEnd(1)).isEqualTo(2);
  }
}
