package dev.nersuite.e2e;

/** Kubernetes resource quantities ("123456Ki", "250m"). Stateless and thread-safe. */
final class Quantities {
  private Quantities() {}

  /** A memory quantity in MiB (rounded down); binary and decimal suffixes. */
  static long mebibytes(String quantity) {
    String q = quantity.strip();
    String[][] units = {
      {"Ki", "1024"},
      {"Mi", "1048576"},
      {"Gi", "1073741824"},
      {"k", "1000"},
      {"M", "1000000"},
      {"G", "1000000000"}
    };
    for (String[] unit : units) {
      if (q.endsWith(unit[0])) {
        double value = Double.parseDouble(q.substring(0, q.length() - unit[0].length()));
        return (long) (value * Long.parseLong(unit[1]) / 1048576);
      }
    }
    return (long) (Double.parseDouble(q) / 1048576);
  }

  /** A CPU quantity in millicores ("250m", "1", "1.5", "123456n"). */
  static long millicores(String quantity) {
    String q = quantity.strip();
    if (q.endsWith("n")) {
      return Long.parseLong(q.substring(0, q.length() - 1)) / 1_000_000;
    }
    if (q.endsWith("u")) {
      return Long.parseLong(q.substring(0, q.length() - 1)) / 1_000;
    }
    if (q.endsWith("m")) {
      return Long.parseLong(q.substring(0, q.length() - 1));
    }
    return Math.round(Double.parseDouble(q) * 1000);
  }
}
