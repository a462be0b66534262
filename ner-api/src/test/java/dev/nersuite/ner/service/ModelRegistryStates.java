package dev.nersuite.ner.service;

/** Puts a {@link ModelRegistry} in a state without loading a model. */
public final class ModelRegistryStates {
  private ModelRegistryStates() {}

  /** A holder whose shutdown began: readiness DOWN, requests still served. */
  public static ModelRegistry draining() {
    ModelRegistry holder = new ModelRegistry();
    holder.beginDraining();
    return holder;
  }

  /** A holder whose shutdown refuses new work. */
  public static ModelRegistry stopping() {
    ModelRegistry holder = new ModelRegistry();
    holder.stopTakingWork();
    return holder;
  }
}
