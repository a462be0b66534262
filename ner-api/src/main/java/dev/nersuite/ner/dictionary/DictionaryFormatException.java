package dev.nersuite.ner.dictionary;

/** A dictionary file that cannot be used; the message names the line. */
public class DictionaryFormatException extends RuntimeException {
  public DictionaryFormatException(String message) {
    super(message, null, false, false);
  }
}
