package dev.nersuite.ha;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

/**
 * One suite's cluster, its scenarios and its figures table: started in a test class's
 * {@code @BeforeAll}, closed in its {@code @AfterAll}, which publishes the table even when a
 * scenario failed. Not thread-safe: the suites run their scenarios one after another.
 */
final class SuiteRun implements AutoCloseable {
  private final HaSettings settings;
  private final FiguresTable table;
  private final String reportFile;
  private final Cluster cluster;
  private final HaContext context;

  private SuiteRun(String title, String clusterName, String reportFile) {
    this.settings = HaSettings.fromSystemProperties();
    this.table = new FiguresTable(title, NginxGateway.version(), "RSS");
    this.reportFile = reportFile;
    this.cluster = Cluster.start(settings, clusterName, List.of());
    try {
      this.context = new HaContext(cluster);
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts the replicas and the gateway; {@code reportFile} is written under the report folder. */
  static SuiteRun start(String title, String clusterName, String reportFile) {
    return new SuiteRun(title, clusterName, reportFile);
  }

  HaSettings settings() {
    return settings;
  }

  Cluster cluster() {
    return cluster;
  }

  /** The cluster and the load driver every scenario of the suite works with. */
  HaContext context() {
    return context;
  }

  /** Adds a scenario's figures to the table and asserts that it met all its targets. */
  Figures record(Figures figures) {
    table.add(figures);
    assertThat(figures.violations()).as(figures.scenario() + ": " + figures.notes()).isEmpty();
    return figures;
  }

  @Override
  public void close() {
    try {
      table.publish(settings.reportDir().resolve(reportFile), "HA fault-injection figures");
    } finally {
      try {
        context.close();
      } finally {
        cluster.close();
      }
    }
  }
}
