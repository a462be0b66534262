package dev.nersuite.ner.config;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How the service's meters look in Prometheus: histogram buckets sized for our latencies and batch
 * sizes, and names and help texts that follow Prometheus' conventions, so {@code promtool check
 * metrics} finds nothing (MetricsExpositionTest runs it). Stateless; the filters are thread-safe.
 *
 * <p>What it changes, and why:
 *
 * <ul>
 *   <li>Request and inference latencies get {@link #LATENCY_BUCKETS_SECONDS}, 100 µs to 30 s:
 *       refusals take tens of microseconds, a sentence a few milliseconds, a 100,000-character text
 *       seconds, and the request timeout is 30 s. Micrometer's default timer histogram starts at 1
 *       ms and has about 70 buckets per series.
 *   <li>Sizes (texts per request, rows and padded tokens per ONNX Runtime call) get powers of two
 *       up to the limits, so batch sizes can be plotted as distributions.
 *   <li>Meters registered without a help text get one ({@link #HELP}); Prometheus' linter flags a
 *       metric without {@code # HELP}.
 *   <li>Double quotes in help texts become single quotes: OpenMetrics escapes them as {@code \"},
 *       which the Prometheus text parser (promtool's, and older scrapers') rejects.
 *   <li>Vert.x' connection-duration timer is left out ({@link #DENIED}).
 *   <li>{@code process.cpu.time} (nanoseconds, exposed as {@code process_cpu_time_ns_total}) is
 *       replaced by {@code process_cpu_seconds_total}, the conventional name in the base unit.
 *   <li>{@code system.cpu.count} becomes {@code system.cpus}: a name ending in {@code _count} is
 *       reserved for histograms and summaries.
 * </ul>
 */
public class MetricsConfiguration {

  /** Upper bounds of the latency histograms, in seconds. */
  public static final double[] LATENCY_BUCKETS_SECONDS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    30
  };

  /** Timers whose histograms get {@link #LATENCY_BUCKETS_SECONDS}. */
  static final Set<String> LATENCY_TIMERS =
      Set.of("http.server.requests", "ner.inference", "ner.queue.wait", "ner.batch");

  /** Upper bounds of the size histograms, per meter. */
  static final Map<String, double[]> SIZE_BUCKETS =
      Map.of(
          "ner.request.texts", new double[] {1, 2, 4, 8, 16, 32, 64},
          "ner.batch.rows", new double[] {1, 2, 4, 8, 16, 32, 64},
          "ner.batch.tokens", new double[] {16, 32, 64, 128, 256, 512, 1024, 2048});

  /** Help texts of meters that are registered without one (by name, before naming conventions). */
  static final Map<String, String> HELP =
      Map.of(
          "ner.entities", "Entities found, by type",
          "ner.queue.depth", "Model rows (windows) waiting for a batch",
          "ner.requests.in.flight", "Recognition requests admitted and not yet answered",
          "ner.rejected", "Recognition requests refused with 503, by model and reason",
          "http.server.active.requests", "HTTP requests being processed");

  /**
   * Every reason of {@code ner_rejected_total}, registered at 0 from the start so that ratios and
   * alerts over it have a series before the first refusal.
   */
  public static final List<String> REJECTION_REASONS =
      List.of("overloaded", "timeout", "not_ready", "shutting_down");

  /**
   * Meters left out: Micrometer's CPU time in nanoseconds (replaced by {@link
   * #processCpuSeconds()}), and Vert.x' connection-duration long task timer, which the registry
   * writes as a summary with {@code _active_count} and {@code _duration_sum} samples that no
   * Prometheus parser attributes to it ({@code http_server_active_connections} still counts open
   * connections).
   */
  static final Set<String> DENIED = Set.of("process.cpu.time", "http.server.connections");

  @Produces
  @Singleton
  public MeterFilter histogramBuckets() {
    return new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(
          Meter.Id id, DistributionStatisticConfig config) {
        double[] buckets;
        if (LATENCY_TIMERS.contains(id.getName())) {
          // Timers record nanoseconds; the registry writes the bounds in seconds.
          buckets = Arrays.stream(LATENCY_BUCKETS_SECONDS).map(s -> s * 1e9).toArray();
        } else {
          buckets = SIZE_BUCKETS.get(id.getName());
        }
        if (buckets == null) {
          return config;
        }
        return DistributionStatisticConfig.builder()
            .percentilesHistogram(false)
            .serviceLevelObjectives(buckets)
            .build()
            .merge(config);
      }
    };
  }

  @Produces
  @Singleton
  public MeterFilter prometheusConventions() {
    return new MeterFilter() {
      @Override
      public MeterFilterReply accept(Meter.Id id) {
        return DENIED.contains(id.getName()) ? MeterFilterReply.DENY : MeterFilterReply.NEUTRAL;
      }

      @Override
      public Meter.Id map(Meter.Id id) {
        String name = id.getName().equals("system.cpu.count") ? "system.cpus" : id.getName();
        String description = id.getDescription();
        if (description == null || description.isBlank()) {
          description = HELP.get(id.getName());
        }
        if (description != null) {
          description = description.replace('"', '\'');
        }
        if (name.equals(id.getName()) && description == id.getDescription()) {
          return id;
        }
        return new Meter.Id(
            name, Tags.of(id.getTagsAsIterable()), id.getBaseUnit(), description, id.getType());
      }
    };
  }

  /**
   * {@code process_cpu_seconds_total}: CPU time of the process in seconds, where the JVM reports
   * it.
   */
  @Produces
  @Singleton
  public MeterBinder processCpuSeconds() {
    return registry -> register(registry, ManagementFactory.getOperatingSystemMXBean());
  }

  @Produces
  @Singleton
  public MeterBinder rejectionReasons() {
    return registry ->
        // model="": refusals before a model is chosen; each model registers its own (ModelPipeline)
        REJECTION_REASONS.forEach(
            reason -> registry.counter("ner.rejected", "model", "", "reason", reason));
  }

  static void register(MeterRegistry registry, OperatingSystemMXBean os) {
    if (os instanceof com.sun.management.OperatingSystemMXBean bean
        && bean.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", bean, b -> b.getProcessCpuTime() / 1e9)
          .description("CPU time used by the process")
          .baseUnit("seconds")
          .register(registry);
    }
  }
}
