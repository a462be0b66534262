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
final class FiguresTable {
  private final String title;
  private final List<Figures> rows = new ArrayList<>();
  private final String machine = Machine.describe();

  FiguresTable(String title) {
    this.title = title;
  }

  void add(Figures figures) {
    rows.add(figures);
  }

  List<Figures> rows() {
    return List.copyOf(rows);
  }

  String markdown() {
    StringBuilder out = new StringBuilder();
    out.append("## ").append(title).append("\n\n");
    out.append("Finished ")
        .append(Instant.now().truncatedTo(ChronoUnit.SECONDS))
        .append(" on ")
        .append(machine)
        .append("\n\n");
    out.append(
        "| scenario | requests | failures | 503 shed | p50 ms | p99 ms | RSS before → after MiB | recovery | target |\n");
    out.append("|---|---:|---:|---:|---:|---:|---|---|---|\n");
    for (Figures f : rows) {
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %d | %d | %d | %s | %s | %d → %d | %s | %s |%n",
              f.scenario(),
              f.requests(),
              f.failures(),
              f.shed(),
              millis(f.p50Millis()),
              millis(f.p99Millis()),
              f.rssBeforeMiB(),
              f.rssAfterMiB(),
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

  private static String millis(double value) {
    return Double.isNaN(value)
        ? "-"
        : String.format(Locale.ROOT, value < 10 ? "%.1f" : "%.0f", value);
  }

  /** Prints the table and writes it to {@code file}. */
  void publish(Path file) {
    String text = markdown();
    System.out.println("\n" + text);
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, "# HA fault-injection figures\n\n" + text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
