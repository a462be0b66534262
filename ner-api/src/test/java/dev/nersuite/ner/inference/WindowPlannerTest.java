package dev.nersuite.ner.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class WindowPlannerTest {

  /** A text of {@code words} words with the given piece count each. */
  private static TokenizedText text(int... piecesPerWord) {
    int pieces = java.util.Arrays.stream(piecesPerWord).sum();
    int[] first = new int[piecesPerWord.length];
    int[] start = new int[piecesPerWord.length];
    int[] end = new int[piecesPerWord.length];
    int next = 0;
    for (int w = 0; w < piecesPerWord.length; w++) {
      first[w] = next;
      start[w] = w;
      end[w] = w + 1;
      next += piecesPerWord[w];
    }
    return new TokenizedText(new long[pieces], first, start, end);
  }

  @Test
  void aTextThatFitsIsOneWindowOwningEverything() {
    List<WindowPlanner.Window> windows = new WindowPlanner(12).plan(text(1, 1, 3, 1), w -> false);
    assertThat(windows).containsExactly(new WindowPlanner.Window(0, 6, 0, 4, 0, 4));
  }

  @RepeatedTest(20)
  void windowsFitCoverAndOwnEveryWordExactlyOnce() {
    Random random = new Random();
    int[] pieces = random.ints(300 + random.nextInt(500), 1, 4).toArray();
    int maxWordPieces = 12 + random.nextInt(60);
    TokenizedText text = text(pieces);
    List<WindowPlanner.Window> windows =
        new WindowPlanner(maxWordPieces).plan(text, w -> w % 17 == 0);
    assertThat(windows.size()).isGreaterThan(1);
    int expectedOwnedFirst = 0;
    for (WindowPlanner.Window window : windows) {
      assertThat(window.pieceEnd() - window.pieceStart()).isLessThanOrEqualTo(maxWordPieces - 2);
      assertThat(window.pieceStart()).isEqualTo(text.wordFirstPiece()[window.firstWord()]);
      assertThat(window.ownedFirstWord()).isEqualTo(expectedOwnedFirst);
      assertThat(window.ownedEndWord()).isGreaterThan(window.ownedFirstWord());
      // A window owns only words it holds, and its owned words have context on the far side.
      assertThat(window.ownedFirstWord()).isGreaterThanOrEqualTo(window.firstWord());
      assertThat(window.ownedEndWord()).isLessThanOrEqualTo(window.endWord());
      expectedOwnedFirst = window.ownedEndWord();
    }
    assertThat(expectedOwnedFirst).isEqualTo(text.wordCount());
    assertThat(windows.get(windows.size() - 1).pieceEnd()).isEqualTo(text.pieceCount());
  }

  @Test
  void ownershipPassesAfterASentenceEndInTheOverlap() {
    int[] pieces = new int[100];
    java.util.Arrays.fill(pieces, 1);
    List<WindowPlanner.Window> windows = new WindowPlanner(42).plan(text(pieces), w -> w == 33);
    WindowPlanner.Window first = windows.get(0);
    assertThat(first.endWord()).isEqualTo(40);
    assertThat(first.ownedEndWord()).isEqualTo(34);
    assertThat(windows.get(1).ownedFirstWord()).isEqualTo(34);
  }

  @Test
  void aWordLongerThanARowKeepsItsFirstPieces() {
    List<WindowPlanner.Window> windows = new WindowPlanner(6).plan(text(1, 9, 1), w -> false);
    assertThat(windows).isNotEmpty();
    int owned = 0;
    for (WindowPlanner.Window window : windows) {
      assertThat(window.pieceEnd() - window.pieceStart()).isLessThanOrEqualTo(4);
      owned += window.ownedEndWord() - window.ownedFirstWord();
    }
    assertThat(owned).isEqualTo(3);
  }
}
