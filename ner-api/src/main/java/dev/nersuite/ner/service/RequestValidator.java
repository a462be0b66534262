package dev.nersuite.ner.service;

import dev.nersuite.ner.config.NerConfig;
import java.util.List;

/** The API's rules for texts, with stable error codes. Stateless and thread-safe. */
final class RequestValidator {
  private RequestValidator() {}

  static void checkText(String text, String field, NerConfig.Limits limits) {
    if (text == null) {
      throw new InvalidRequestException(400, "MISSING_FIELD", "'" + field + "' is required");
    }
    if (text.isBlank()) {
      throw new InvalidRequestException(400, "BLANK_TEXT", "'" + field + "' is blank");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidRequestException(
            400,
            "INVALID_TEXT",
            "'" + field + "' contains an unpaired UTF-16 surrogate at index " + i);
      }
    }
    int codePoints = text.codePointCount(0, text.length());
    if (codePoints > limits.maxTextChars()) {
      throw new InvalidRequestException(
          413,
          "TEXT_TOO_LONG",
          "'"
              + field
              + "' has "
              + codePoints
              + " characters; the limit is "
              + limits.maxTextChars());
    }
  }

  static void checkBatch(List<String> texts, NerConfig.Limits limits) {
    if (texts == null) {
      throw new InvalidRequestException(400, "MISSING_FIELD", "'texts' is required");
    }
    if (texts.isEmpty()) {
      throw new InvalidRequestException(400, "EMPTY_BATCH", "'texts' is empty");
    }
    if (texts.size() > limits.maxBatchTexts()) {
      throw new InvalidRequestException(
          413,
          "TOO_MANY_TEXTS",
          "'texts' has " + texts.size() + " items; the limit is " + limits.maxBatchTexts());
    }
    long total = 0;
    for (int i = 0; i < texts.size(); i++) {
      String text = texts.get(i);
      checkText(text, "texts[" + i + "]", limits);
      total += text.codePointCount(0, text.length());
    }
    if (total > limits.maxBatchChars()) {
      throw new InvalidRequestException(
          413,
          "BATCH_TOO_LONG",
          "'texts' has " + total + " characters in all; the limit is " + limits.maxBatchChars());
    }
  }
}
