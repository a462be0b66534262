package dev.nersuite.ner.inference;

import java.util.List;

/**
 * A text ready for the model: its tokens, its windows and the id row of each window. Immutable and
 * thread-safe.
 *
 * @param text the original text
 * @param tokens its pieces and words
 * @param windows how it is cut into rows
 * @param rows the ids of each window, {@code [CLS] pieces [SEP]}
 */
public record PreparedText(
    String text, TokenizedText tokens, List<WindowPlanner.Window> windows, List<long[]> rows) {}
