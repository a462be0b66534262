package dev.nersuite.ha;

import java.time.Duration;
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

  private static SuiteRun suite;

  @BeforeAll
  static void startCluster() {
    suite = SuiteRun.start("Full suite (-Pha-full)", "full", "ha-report.md");
  }

  @AfterAll
  static void stopCluster() {
    if (suite != null) {
      suite.close();
    }
  }

  @Test
  @Order(1)
  void rollingRestartOfEveryReplica() {
    suite.record(
        new RollingRestartScenario(suite.context(), suite.cluster().replicas(), RATE).run());
  }

  @Test
  @Order(2)
  void replicaThatServedNothingStopsPromptlyOnSigterm() {
    suite.record(new StopBeforeTrafficScenario(suite.context()).run());
  }

  @Test
  @Order(3)
  void crashAndRestart() {
    suite.record(new CrashScenario(suite.context(), suite.cluster().replicas().get(1), RATE).run());
  }

  @Test
  @Order(4)
  void slowStartGetsNoTrafficUntilReady() {
    suite.record(
        new SlowStartScenario(
                suite.context(), suite.cluster().replicas().get(2), RATE, Duration.ofSeconds(10))
            .run());
  }

  @Test
  @Order(5)
  void badInput() {
    suite.record(new BadInputScenario(suite.context()).run());
  }

  @Test
  @Order(6)
  void overload() {
    suite.record(new OverloadScenario(suite.context(), 16, 4, 3, Duration.ofSeconds(15)).run());
  }

  @Test
  @Order(7)
  void soak() {
    suite.record(new SoakScenario(suite.context(), suite.settings().soak(), SOAK_RATE).run());
  }
}
