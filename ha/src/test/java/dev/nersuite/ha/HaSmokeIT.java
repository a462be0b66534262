package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The smoke subset that runs inside {@code mvn verify} (a few minutes on 2 cores): three real
 * replicas behind a real nginx; a rolling restart of one replica and a crash of another under load,
 * a SIGTERM to replicas that never served a request, then the whole hostile corpus. Each test
 * asserts its scenario's targets; the figures go to {@code target/ha-smoke-report.md}. The full
 * suite with all six scenarios is {@link HaFullSuiteIT}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaSmokeIT {
  /** Moderate load: well under the replicas' capacity, so every failure is the fault's. */
  private static final double RATE = 25;

  private static SuiteRun suite;

  @BeforeAll
  static void startCluster() {
    suite = SuiteRun.start("Smoke subset (mvn verify)", "smoke", "ha-smoke-report.md");
  }

  @AfterAll
  static void stopCluster() {
    if (suite != null) {
      suite.close();
    }
  }

  @Test
  @Order(0)
  void referenceResultsAreRealEntities() {
    NewsCorpus corpus = suite.cluster().corpus();
    assertThat(corpus.sentences()).hasSizeGreaterThanOrEqualTo(30);
    // Comparing against empty results would prove nothing: the reference must find entities.
    assertThat(corpus.totalEntities()).isGreaterThan(corpus.sentences().size());
    for (String sentence : corpus.sentences()) {
      for (NewsCorpus.Entity entity : corpus.expected(sentence)) {
        int[] codePoints = sentence.codePoints().toArray();
        assertThat(new String(codePoints, entity.start(), entity.end() - entity.start()))
            .as("span of %s in %s", entity, sentence)
            .isEqualTo(entity.span());
      }
    }
  }

  @Test
  @Order(1)
  void rollingRestartOfOneReplicaFailsNoRequest() {
    Figures figures =
        suite.record(
            new RollingRestartScenario(
                    suite.context(), List.of(suite.cluster().replicas().get(0)), RATE)
                .run());
    assertThat(figures.requests()).isGreaterThan(100);
  }

  @Test
  @Order(2)
  void replicaThatServedNothingStopsPromptlyOnSigterm() {
    suite.record(new StopBeforeTrafficScenario(suite.context()).run());
  }

  @Test
  @Order(3)
  void crashOfOneReplicaFailsNoRequest() {
    Figures figures =
        suite.record(
            new CrashScenario(suite.context(), suite.cluster().replicas().get(1), RATE).run());
    assertThat(figures.requests()).isGreaterThan(100);
  }

  @Test
  @Order(4)
  void hostileInputGetsJsonErrorsAndNo5xx() {
    Figures figures = suite.record(new BadInputScenario(suite.context()).run());
    assertThat(figures.requests()).isGreaterThanOrEqualTo(400);
  }
}
