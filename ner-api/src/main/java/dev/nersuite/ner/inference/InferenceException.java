package dev.nersuite.ner.inference;

/** Inference failed for a reason that is not the client's (the runtime itself failed). */
public class InferenceException extends RuntimeException {
  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
