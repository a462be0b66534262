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

  private static HaSettings settings;
  private static Cluster cluster;
  private static Scenarios scenarios;
  private static FiguresTable table;

  @BeforeAll
  static void startCluster() {
    settings = HaSettings.fromSystemProperties();
    table = new FiguresTable("Smoke subset (mvn verify)");
    cluster = Cluster.start(settings, "smoke", List.of());
    scenarios = new Scenarios(cluster);
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (table != null && settings != null) {
        table.publish(settings.reportDir().resolve("ha-smoke-report.md"));
      }
    } finally {
      if (scenarios != null) {
        scenarios.close();
      }
      if (cluster != null) {
        cluster.close();
      }
    }
  }

  @Test
  @Order(0)
  void referenceResultsAreRealEntities() {
    NewsCorpus corpus = cluster.corpus();
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
    Figures figures = scenarios.rollingRestart(List.of(cluster.replicas().get(0)), RATE);
    table.add(figures);
    assertThat(figures.violations()).as(figures.notes()).isEmpty();
    assertThat(figures.requests()).isGreaterThan(100);
  }

  @Test
  @Order(2)
  void replicaThatServedNothingStopsPromptlyOnSigterm() {
    Figures figures = scenarios.stopBeforeTraffic();
    table.add(figures);
    assertThat(figures.violations()).as(figures.notes()).isEmpty();
  }

  @Test
  @Order(3)
  void crashOfOneReplicaFailsNoRequest() {
    Figures figures = scenarios.crash(cluster.replicas().get(1), RATE);
    table.add(figures);
    assertThat(figures.violations()).as(figures.notes()).isEmpty();
    assertThat(figures.requests()).isGreaterThan(100);
  }

  @Test
  @Order(4)
  void hostileInputGetsJsonErrorsAndNo5xx() {
    Figures figures = scenarios.badInput();
    table.add(figures);
    assertThat(figures.violations()).as(figures.notes()).isEmpty();
    assertThat(figures.requests()).isGreaterThanOrEqualTo(400);
  }
}
