package dev.nersuite.ner.dictionary;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.nersuite.ner.config.NerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * Holds the user dictionary from {@code ner.dictionary.path} and reloads it when the file changes:
 * the file's bytes are read every {@code ner.dictionary.reload-interval} and compared by SHA-256,
 * so an edit in place and a ConfigMap update (a symlink swap) are both seen. A new version replaces
 * the old one in one atomic step, so every request sees one whole dictionary; a version that does
 * not parse is refused and the one in force stays. Thread-safe.
 */
@ApplicationScoped
public class DictionaryService {
  private static final Logger LOG = Logger.getLogger(DictionaryService.class);

  /**
   * The dictionary in force and what is known about it.
   *
   * @param dictionary the dictionary ({@link UserDictionary#EMPTY} before any loaded)
   * @param sha256 the loaded file's SHA-256, or {@code null}
   * @param loadedAt when it was loaded, or {@code null}
   */
  public record Loaded(UserDictionary dictionary, String sha256, Instant loadedAt) {}

  /**
   * What {@code GET /api/v1/dictionary} says.
   *
   * @param configured whether {@code ner.dictionary.path} is set
   * @param entries terms in force, forced and suppressed
   * @param sha256 of the file in force
   * @param loadedAt when it was loaded
   * @param lastError why the last version read was refused, or {@code null} if it is in force
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record Status(
      boolean configured, int entries, String sha256, Instant loadedAt, String lastError) {}

  @Inject NerConfig config;
  @Inject MeterRegistry registry;
  @Inject EntityTypes entityTypes;

  private final AtomicReference<Loaded> current =
      new AtomicReference<>(new Loaded(UserDictionary.EMPTY, null, null));
  private volatile String lastError;
  private volatile String lastSeenSha256;
  private ScheduledExecutorService poller;
  private Counter reloads;
  private Counter failures;

  void onStart(@Observes StartupEvent event) {
    io.micrometer.core.instrument.Gauge.builder(
            "ner.dictionary.entries", current, c -> c.get().dictionary().entries())
        .description("Terms of the user dictionary in force, forced and suppressed")
        .register(registry);
    reloads =
        Counter.builder("ner.dictionary.reloads")
            .description("Dictionary versions loaded")
            .tag("result", "loaded")
            .register(registry);
    failures =
        Counter.builder("ner.dictionary.reloads")
            .description("Dictionary versions loaded")
            .tag("result", "refused")
            .register(registry);
    if (config.dictionary().path().isEmpty()) {
      return;
    }
    Path path = Path.of(config.dictionary().path().get());
    poller =
        Executors.newSingleThreadScheduledExecutor(
            runnable -> {
              Thread thread = new Thread(runnable, "dictionary-reloader");
              thread.setDaemon(true);
              return thread;
            });
    long interval = Math.max(1, config.dictionary().reloadInterval().toMillis());
    poller.scheduleWithFixedDelay(() -> check(path), 0, interval, TimeUnit.MILLISECONDS);
  }

  void onStop(@Observes ShutdownEvent event) {
    if (poller != null) {
      poller.shutdownNow();
    }
  }

  /** Reads the file and loads it if it changed. Package-private for tests. */
  void check(Path path) {
    try {
      Set<String> types = entityTypes.known();
      if (types.isEmpty()) {
        return; // the models are not loaded yet: their types decide what a line may say
      }
      byte[] bytes;
      try {
        bytes = Files.readAllBytes(path);
      } catch (IOException e) {
        refuse(null, "cannot read " + path + ": " + e.getClass().getSimpleName());
        return;
      }
      String sha256 = sha256(bytes);
      if (sha256.equals(lastSeenSha256)) {
        return;
      }
      lastSeenSha256 = sha256;
      Map<String, String> entries;
      try {
        entries = DictionaryParser.parse(bytes, types);
      } catch (DictionaryFormatException e) {
        refuse(sha256, e.getMessage());
        return;
      }
      current.set(new Loaded(new UserDictionary(entries), sha256, Instant.now()));
      lastError = null;
      reloads.increment();
      LOG.infof("dictionary %s loaded: %d terms (sha256 %s)", path, entries.size(), sha256);
    } catch (RuntimeException e) {
      // Never let the poller die: the next round tries again.
      LOG.error("dictionary check failed", e);
    }
  }

  private void refuse(String sha256, String reason) {
    if (reason.equals(lastError) && sha256 == null) {
      return; // the same unreadable file, already reported
    }
    lastError = reason;
    failures.increment();
    LOG.warnf("dictionary refused, the one in force stays: %s", reason);
  }

  /** The dictionary in force. */
  public UserDictionary current() {
    return current.get().dictionary();
  }

  /** What is in force and how the last reload went. */
  public Status status() {
    Loaded loaded = current.get();
    return new Status(
        config.dictionary().path().isPresent(),
        loaded.dictionary().entries(),
        loaded.sha256(),
        loaded.loadedAt(),
        lastError);
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  /**
   * The entity types a dictionary line may name: those of the served models. Implemented by the
   * service's model registry; empty while the models load.
   */
  public interface EntityTypes {
    /** The types, or an empty set while the models load. */
    Set<String> known();
  }
}
