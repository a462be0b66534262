package dev.nersuite.ner.rest;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The in-flight bound refuses requests before any work is done for them, even while the batching
 * queue itself has room.
 */
@QuarkusTest
@TestProfile(AdmissionTest.OneInFlight.class)
class AdmissionTest {

  public static class OneInFlight implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("ner.inference.max-in-flight", "1", "ner.inference.queue-size", "10000");
    }
  }

  @BeforeEach
  void ready() {
    Readiness.await();
  }

  @Test
  void requestsBeyondTheInFlightBoundAreRefusedAtOnce() throws Exception {
    BackpressureTest.assertSomeRefusedSomeServed();
  }
}
