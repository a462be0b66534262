package dev.nersuite.ner.service;

/** The service cannot take this request now (not ready, overloaded, timed out): answer 503. */
public class ServiceUnavailableException extends RuntimeException {
  private final String code;

  public ServiceUnavailableException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** Stable error code for clients. */
  public String code() {
    return code;
  }
}
