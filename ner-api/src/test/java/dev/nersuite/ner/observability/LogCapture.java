package dev.nersuite.ner.observability;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Captures every log record of the application under test (same JVM) with its message and MDC
 * fields, as the log handlers see them. Thread-safe: records are collected from any thread.
 */
final class LogCapture extends Handler implements AutoCloseable {

  /** One captured record. */
  record Entry(String logger, String message, Map<String, String> fields) {
    /** Message and fields in one string, to look for text that must not be there. */
    String everything() {
      return logger + " " + message + " " + fields;
    }
  }

  private final Logger root = Logger.getLogger("");
  private final List<Entry> entries = new CopyOnWriteArrayList<>();

  LogCapture() {
    setLevel(Level.ALL);
    root.addHandler(this);
  }

  @Override
  public void publish(LogRecord record) {
    Map<String, String> fields = new HashMap<>();
    if (record instanceof ExtLogRecord ext) {
      ext.getMdcCopy().forEach((key, value) -> fields.put(key, String.valueOf(value)));
    }
    String message =
        record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
    entries.add(new Entry(record.getLoggerName(), message, Map.copyOf(fields)));
  }

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  /** The request log line of {@code requestId}, waiting up to 10 s for the response to end. */
  Entry requestLine(String requestId) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Entry> line =
          entries.stream()
              .filter(e -> e.logger().equals(RequestLogFilter.class.getName()))
              .filter(e -> requestId.equals(e.fields().get(RequestLogFilter.REQUEST_ID)))
              .findFirst();
      if (line.isPresent()) {
        return line.get();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no request log line for " + requestId + " in " + entries);
  }

  @Override
  public void flush() {}

  @Override
  public void close() {
    root.removeHandler(this);
  }
}
