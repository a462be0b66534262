package dev.nersuite.ha;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** One line that says what machine figures were measured on. Stateless and thread-safe. */
public final class Machine {
  private Machine() {}

  /** CPUs, memory, Java, then {@code components} (what else the figures depend on). */
  public static String describe(String components) {
    String cpu = firstValue(Path.of("/proc/cpuinfo"), "model name");
    long memKiB = parseKiB(firstValue(Path.of("/proc/meminfo"), "MemTotal"));
    String load = read(Path.of("/proc/loadavg")).split(" ")[0];
    return String.format(
        Locale.ROOT,
        "%d CPUs (%s), %.0f GiB RAM, Java %s, %s, load average %s at start",
        Runtime.getRuntime().availableProcessors(),
        cpu.isEmpty() ? "unknown CPU" : cpu,
        memKiB / 1024.0 / 1024.0,
        System.getProperty("java.version"),
        components,
        load);
  }

  private static String firstValue(Path file, String key) {
    return read(file)
        .lines()
        .filter(line -> line.startsWith(key))
        .map(line -> line.substring(line.indexOf(':') + 1).strip())
        .findFirst()
        .orElse("");
  }

  private static long parseKiB(String value) {
    String digits = value.replaceAll("[^0-9]", "");
    return digits.isEmpty() ? 0 : Long.parseLong(digits);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
