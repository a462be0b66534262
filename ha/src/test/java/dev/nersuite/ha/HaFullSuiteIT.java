package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * All six scenarios ({@code mvn -B -f ha/pom.xml verify -Pha-full}): rolling restart of every
 * replica, crash, slow start, bad input, overload, soak. Prints the figures table and writes it to
 * {@code target/ha-report.md}. Overload runs after bad input so its restart with a small queue
 * happens once, and the soak last so it measures replicas that went through everything else.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HaFullSuiteIT {
  private static final double RATE = 40;

  /** Soak load: sustained and moderate (the news mix; well under the replicas' capacity). */
  private static final double SOAK_RATE =
      Double.parseDouble(System.getProperty("ha.soak.rate", "60"));

  private static HaSettings settings;
  private static Cluster cluster;
  private static Scenarios scenarios;
  private static FiguresTable table;

  @BeforeAll
  static void startCluster() {
    settings = HaSettings.fromSystemProperties();
    table = new FiguresTable("Full suite (-Pha-full)");
    cluster = Cluster.start(settings, "full", List.of());
    scenarios = new Scenarios(cluster);
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (table != null && settings != null) {
        table.publish(settings.reportDir().resolve("ha-report.md"));
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

  private static void record(Figures figures) {
    table.add(figures);
    assertThat(figures.violations()).as(figures.scenario() + ": " + figures.notes()).isEmpty();
  }

  @Test
  @Order(1)
  void rollingRestartOfEveryReplica() {
    record(scenarios.rollingRestart(cluster.replicas(), RATE));
  }

  @Test
  @Order(2)
  void replicaThatServedNothingStopsPromptlyOnSigterm() {
    record(scenarios.stopBeforeTraffic());
  }

  @Test
  @Order(3)
  void crashAndRestart() {
    record(scenarios.crash(cluster.replicas().get(1), RATE));
  }

  @Test
  @Order(4)
  void slowStartGetsNoTrafficUntilReady() {
    record(scenarios.slowStart(cluster.replicas().get(2), RATE, Duration.ofSeconds(10)));
  }

  @Test
  @Order(5)
  void badInput() {
    record(scenarios.badInput());
  }

  @Test
  @Order(6)
  void overload() {
    record(scenarios.overload(16, 4, 3, Duration.ofSeconds(15)));
  }

  @Test
  @Order(7)
  void soak() {
    record(scenarios.soak(settings.soak(), SOAK_RATE));
  }
}
