package dev.nersuite.ha;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the gateway's access log (format {@code ha} of {@link NginxGateway}): one entry per client
 * request with every upstream attempt. This is how the suite sees what clients cannot: attempts a
 * replica refused and nginx retried elsewhere. Stateless and thread-safe.
 */
final class AccessLog {
  private static final Pattern LINE =
      Pattern.compile(
          "^(\\S+) (\\d{3}) (\\S+) \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\" \"([^\"]*)\"$");

  private AccessLog() {}

  /**
   * One upstream attempt: the replica's address and what it answered (502 for a connection error).
   */
  record Attempt(String address, int status) {}

  /**
   * One client request.
   *
   * @param epochMillis when nginx finished it
   * @param status what the client got
   * @param attempts every upstream attempt in order (empty when nginx answered by itself)
   * @param requestTag the {@code X-HA-Request} header the driver sent, or "-"
   */
  record Entry(
      long epochMillis, int status, List<Attempt> attempts, String method, String requestTag) {}

  /** The log's current size, to read only what a scenario added later. */
  static long size(Path log) {
    try {
      return Files.exists(log) ? Files.size(log) : 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The entries written after byte {@code offset}. */
  static List<Entry> readFrom(Path log, long offset) {
    try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
      byte[] bytes = new byte[(int) Math.max(0, file.length() - offset)];
      file.seek(offset);
      file.readFully(bytes);
      List<Entry> entries = new ArrayList<>();
      for (String line : new String(bytes, StandardCharsets.UTF_8).split("\n")) {
        if (!line.isBlank()) {
          entries.add(parse(line));
        }
      }
      return entries;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static Entry parse(String line) {
    Matcher m = LINE.matcher(line);
    if (!m.matches()) {
      throw new IllegalArgumentException("not an access-log line of format 'ha': " + line);
    }
    long millis = Math.round(Double.parseDouble(m.group(1)) * 1000);
    List<String> addresses = split(m.group(4));
    List<String> statuses = split(m.group(5));
    List<Attempt> attempts = new ArrayList<>();
    // An upstream name instead of an address ("ner_api") means no replica was tried at all.
    for (int i = 0; i < addresses.size(); i++) {
      String address = addresses.get(i);
      if (!address.contains(":")) {
        continue;
      }
      String status = i < statuses.size() ? statuses.get(i) : "-";
      attempts.add(new Attempt(address, status.equals("-") ? 0 : Integer.parseInt(status)));
    }
    return new Entry(
        millis, Integer.parseInt(m.group(2)), List.copyOf(attempts), m.group(7), m.group(8));
  }

  /** nginx separates attempts with ", " (and upstream groups with " : "); "-" is an empty field. */
  private static List<String> split(String field) {
    if (field.equals("-") || field.isBlank()) {
      return List.of();
    }
    return List.of(field.split("\\s*[,:]\\s+"));
  }
}
