package dev.nersuite.ner.dictionary;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a user dictionary file: UTF-8 lines {@code term<TAB>TYPE} (force the term as that type) or
 * {@code term<TAB>-} (suppress it); {@code #} starts a comment, blank lines are ignored. Any bad
 * line rejects the whole file, naming the line. Terms are NFKC-normalised, as the models normalise
 * text. Stateless and thread-safe.
 */
public final class DictionaryParser {
  /** The type column of a suppressed term. */
  static final String SUPPRESS = "-";

  private DictionaryParser() {}

  /**
   * Parses a file's bytes.
   *
   * @param bytes the file
   * @param knownTypes entity types a forced term may have (those of the served models)
   * @return the entries: normalised term to type, {@code null} for a suppressed term
   * @throws DictionaryFormatException naming the first bad line
   */
  public static Map<String, String> parse(byte[] bytes, Set<String> knownTypes) {
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(bytes))
              .toString();
    } catch (CharacterCodingException e) {
      throw new DictionaryFormatException("the file is not valid UTF-8");
    }
    if (text.startsWith("\uFEFF")) {
      text = text.substring(1);
    }
    Map<String, String> entries = new LinkedHashMap<>();
    List<String> lines = text.lines().toList();
    for (int i = 0; i < lines.size(); i++) {
      int lineNumber = i + 1;
      String line = lines.get(i);
      int comment = line.indexOf('#');
      String content = comment >= 0 ? line.substring(0, comment) : line;
      if (content.isBlank()) {
        continue;
      }
      int tab = content.indexOf('\t');
      if (tab < 0) {
        throw bad(lineNumber, "expected 'term<TAB>TYPE' or 'term<TAB>-', found no tab");
      }
      String term = Normalizer.normalize(content.substring(0, tab).strip(), Normalizer.Form.NFKC);
      String type = content.substring(tab + 1).strip();
      if (term.isEmpty()) {
        throw bad(lineNumber, "the term is empty");
      }
      if (term.indexOf('\t') >= 0 || type.indexOf('\t') >= 0) {
        throw bad(lineNumber, "more than one tab");
      }
      String value;
      if (type.equals(SUPPRESS)) {
        value = null;
      } else if (knownTypes.contains(type)) {
        value = type;
      } else {
        throw bad(
            lineNumber,
            "unknown type '"
                + type
                + "'; known: "
                + knownTypes.stream().sorted().toList()
                + " or -");
      }
      if (entries.containsKey(term) && !java.util.Objects.equals(entries.get(term), value)) {
        throw bad(lineNumber, "'" + term + "' is listed before with another type");
      }
      entries.put(term, value);
    }
    return entries;
  }

  private static DictionaryFormatException bad(int line, String message) {
    return new DictionaryFormatException("line " + line + ": " + message);
  }
}
