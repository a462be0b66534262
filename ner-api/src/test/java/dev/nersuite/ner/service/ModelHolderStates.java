package dev.nersuite.ner.service;

/** Puts a {@link ModelHolder} in a state without loading a model. */
public final class ModelHolderStates {
  private ModelHolderStates() {}

  /** A holder whose shutdown began: readiness DOWN, requests still served. */
  public static ModelHolder draining() {
    ModelHolder holder = new ModelHolder();
    holder.beginDraining();
    return holder;
  }

  /** A holder whose shutdown refuses new work. */
  public static ModelHolder stopping() {
    ModelHolder holder = new ModelHolder();
    holder.stopTakingWork();
    return holder;
  }
}
