package dev.nersuite.ner.rest;

import static io.restassured.RestAssured.given;

/** Waits for the application under test: the model loads in the background after start. */
public final class Readiness {
  private Readiness() {}

  public static void await() {
    long deadline = System.nanoTime() + java.time.Duration.ofSeconds(120).toNanos();
    while (given().get("/q/health/ready").statusCode() != 200) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the service did not become ready within 120 s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }
}
