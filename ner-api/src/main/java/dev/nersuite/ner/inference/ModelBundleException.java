package dev.nersuite.ner.inference;

/** A model bundle that is missing, unreadable or does not follow the bundle contract. */
public class ModelBundleException extends RuntimeException {
  public ModelBundleException(String message) {
    super(message);
  }

  public ModelBundleException(String message, Throwable cause) {
    super(message, cause);
  }
}
