package dev.nersuite.ner.service;

/** A client's request breaks a rule of the API; answered with {@link #status()}. */
public class InvalidRequestException extends RuntimeException {
  private final int status;
  private final String code;

  public InvalidRequestException(int status, String code, String message) {
    super(message, null, false, false);
    this.status = status;
    this.code = code;
  }

  /** HTTP status, 400 or 413. */
  public int status() {
    return status;
  }

  /** Stable error code for clients. */
  public String code() {
    return code;
  }
}
