package dev.nersuite.ha;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The figures of a run as a Markdown table, printed and written to a report file with the machine
 * it ran on. Not thread-safe: the test thread adds rows.
 */
public final class FiguresTable {
  private final String title;
  private final String machine;
  private final String memoryColumn;
  private final List<Figures> rows = new ArrayList<>();

  /**
   * A table headed {@code title}; {@code components} names what the figures depend on besides the
   * machine (e.g. nginx's version); {@code memoryColumn} says what the memory column measures.
   */
  public FiguresTable(String title, String components, String memoryColumn) {
    this.title = title;
    this.machine = Machine.describe(components);
    this.memoryColumn = memoryColumn;
  }

  public void add(Figures figures) {
    rows.add(figures);
  }

  public List<Figures> rows() {
    return List.copyOf(rows);
  }

  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("## ").append(title).append("\n\n");
    out.append("Finished ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append(" on ")
        .append(machine)
        .append("\n\n");
    out.append("| scenario | requests | failures | 503 shed | p50 ms | p99 ms | ")
        .append(memoryColumn)
        .append(" before → after MiB | recovery | target |\n");
    out.append("|---|---:|---:|---:|---:|---:|---|---|---|\n");
    for (Figures f : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %s | %s | %s → %s | %s | %s |%n",
              f.scenario(),
              f.requests(),
              f.failures(),
              f.shed(),
              millis(f.p50Millis()),
              millis(f.p99Millis()),
              mib(f.memoryBeforeMiB()),
              mib(f.memoryAfterMiB()),
              f.recovery(),
              f.met() ? "met" : "**MISSED**"));
    }
    out.append("\n");
    for (Figures f : rows) {
      out.append("- **").append(f.scenario()).append("**: ").append(f.notes()).append("\n");
      for (String violation : f.violations()) {
        out.append("  - MISSED: ").append(violation).append("\n");
      }
    }
    return out.toString();
  }

  private static String mib(long value) {
    return value < 0 ? "-" : Long.toString(value);
  }

  private static String millis(double value) {
    return Double.isNaN(value)
        ? "-"
        : String.format(Locale.ROOT, value < 10 ? "%.1f" : "%.0f", value);
  }

  /** Prints the table and writes it to {@code file}, under the heading {@code heading}. */
  public void publish(Path file, String heading) {
    String text = markdown();
    System.out.println("\n" + text);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "# " + heading + "\n\n" + text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
