package dev.nersuite.ner.service;

/** Where the served model is in its life. */
public enum ModelState {
  /** Loading or warming up: not ready for traffic. */
  LOADING,
  /** Loaded and warmed up. */
  READY,
  /** Loading failed: the process is exiting. */
  FAILED,
  /** Shutdown has begun: readiness is DOWN but requests are still served, so balancers notice. */
  DRAINING,
  /** Shutdown is under way: in-flight requests finish, new ones are refused with 503. */
  STOPPING
}
