package dev.nersuite.ner.service;

import dev.nersuite.ner.dictionary.UserDictionary;
import dev.nersuite.ner.inference.Entity;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What happens to a model's entities before they are returned, the same for every model: the user
 * dictionary (its matches become entities with {@code prob} 1.0 and source {@code dictionary};
 * model entities that overlap a match, or whose span it suppresses, are dropped), then the
 * request's filters ({@code types}, {@code minProb}), which only choose among what was found.
 * Stateless and thread-safe.
 */
final class PostProcessor {
  private PostProcessor() {}

  /**
   * @param text the original text
   * @param entities the model's entities of {@code text}
   * @param dictionary the dictionary in force ({@link UserDictionary#EMPTY} for none)
   * @param options the request's options
   * @return the entities to return, in text order
   */
  static List<Mention> apply(
      String text, List<Entity> entities, UserDictionary dictionary, RecognitionOptions options) {
    List<Mention> out = new ArrayList<>(entities.size());
    List<UserDictionary.Match> matches =
        options.dictionary() ? dictionary.matches(text) : List.of();
    for (UserDictionary.Match match : matches) {
      out.add(
          new Mention(
              match.type(),
              match.start(),
              match.end(),
              match.span(),
              1.0,
              Mention.Source.DICTIONARY));
    }
    for (Entity entity : entities) {
      if (options.dictionary()
          && (overlaps(entity, matches) || dictionary.suppresses(entity.span()))) {
        continue;
      }
      out.add(Mention.of(entity));
    }
    if (!matches.isEmpty()) {
      out.sort(Comparator.comparingInt(Mention::start));
    }
    if (options.types() != null || options.minProb() != null) {
      out.removeIf(
          mention ->
              (options.types() != null && !options.types().contains(mention.type()))
                  || (options.minProb() != null && mention.prob() < options.minProb()));
    }
    return out;
  }

  private static boolean overlaps(Entity entity, List<UserDictionary.Match> matches) {
    for (UserDictionary.Match match : matches) {
      if (entity.start() < match.end() && match.start() < entity.end()) {
        return true;
      }
    }
    return false;
  }
}
