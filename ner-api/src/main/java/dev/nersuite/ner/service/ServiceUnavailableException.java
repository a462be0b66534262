package dev.nersuite.ner.service;

/** The service cannot take this request now (not ready, overloaded, timed out): answer 503. */
public class ServiceUnavailableException extends RuntimeException {
  private final String code;

  public ServiceUnavailableException(String code, String message) {
    super(message, null, false, false);
    this.code = code;
  }

  /** The in-flight bound or the batch queue is full. */
  public static ServiceUnavailableException overloaded() {
    return new ServiceUnavailableException(
        "OVERLOADED", "the service is at capacity; retry shortly");
  }

  /** The request did not finish within its deadline. */
  public static ServiceUnavailableException timeout() {
    return new ServiceUnavailableException(
        "TIMEOUT", "the request did not finish within the service's deadline");
  }

  /** Stable error code for clients. */
  public String code() {
    return code;
  }
}
