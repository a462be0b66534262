package dev.nersuite.ner.service;

/** Where the served model is in its life. */
public enum ModelState {
  /** Loading or warming up: not ready for traffic. */
  LOADING,
  /** Loaded and warmed up. */
  READY,
  /** Loading failed: the process is exiting. */
  FAILED,
  /** Shutdown has begun: in-flight requests finish, new ones are refused. */
  STOPPING
}
