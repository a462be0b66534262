package dev.nersuite.ner.rest;

import java.io.IOException;

/**
 * A request body crossed the body limit while it was read. An {@link IOException} on purpose: the
 * JSON reader passes I/O failures of its input through unchanged, where it would wrap any other
 * exception into a JSON mapping error (a 400).
 */
public class BodyTooLargeException extends IOException {
  public BodyTooLargeException(long limit) {
    super(message(limit));
  }

  /** The message of the API's 413 {@code BODY_TOO_LARGE}, whichever check refused the body. */
  static String message(long limit) {
    return "the request body is larger than " + limit + " bytes";
  }
}
