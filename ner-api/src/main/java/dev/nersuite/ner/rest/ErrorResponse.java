package dev.nersuite.ner.rest;

/**
 * Every error the API answers: {@code {"error": {"code": "...", "message": "..."}}}.
 *
 * @param error the error
 */
public record ErrorResponse(Error error) {

  /**
   * @param code stable, machine-readable code
   * @param message human-readable explanation
   */
  public record Error(String code, String message) {}

  /** Convenience constructor. */
  public static ErrorResponse of(String code, String message) {
    return new ErrorResponse(new Error(code, message));
  }
}
