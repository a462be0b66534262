package dev.nersuite.ner.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.nersuite.ner.config.NerConfig;
import dev.nersuite.ner.inference.Entity;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;

/**
 * A bounded cache of the models' own entities for repeated texts, per model (before the user
 * dictionary and the request's filters, which are cheap and may change). Texts longer than {@code
 * ner.cache.max-text-chars} are not cached, which bounds its memory. Thread-safe (Caffeine).
 */
@ApplicationScoped
public class ResultCache {
  private record Key(String model, String text) {}

  @Inject NerConfig config;
  @Inject MeterRegistry registry;

  private Cache<Key, List<Entity>> cache;

  @PostConstruct
  void start() {
    if (config.cache().size() > 0) {
      cache = Caffeine.newBuilder().maximumSize(config.cache().size()).recordStats().build();
      CaffeineCacheMetrics.monitor(registry, cache, "ner.results");
    }
  }

  /** The cached entities of {@code text} by {@code model}, or {@code null}. */
  List<Entity> get(String model, String text) {
    return cacheable(text) ? cache.getIfPresent(new Key(model, text)) : null;
  }

  void put(String model, String text, List<Entity> entities) {
    if (cacheable(text)) {
      cache.put(new Key(model, text), entities);
    }
  }

  private boolean cacheable(String text) {
    return cache != null && text.length() <= config.cache().maxTextChars();
  }
}
