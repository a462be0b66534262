package dev.nersuite.ner.service;

import java.util.List;
import java.util.Set;

/**
 * What a request asks for besides its texts. Immutable.
 *
 * @param model the model's name, or {@code null} for the default model
 * @param types only entities of these types are returned, or {@code null} for every type
 * @param minProb entities with a lower {@code prob} are not returned, or {@code null}
 * @param dictionary whether the user dictionary applies
 */
public record RecognitionOptions(
    String model, List<String> types, Double minProb, boolean dictionary) {

  /** The default model, every type, no threshold, the dictionary on. */
  public static final RecognitionOptions DEFAULTS = new RecognitionOptions(null, null, null, true);

  /**
   * Checks the options against what can come back: the chosen model's types and the types the user
   * dictionary's forced terms give (a model of GPE/LOC/PER with a dictionary line {@code X<TAB>ORG}
   * can return ORG, so ORG may be asked for).
   *
   * @throws InvalidRequestException 400 {@code INVALID_FIELD} for an empty or unknown type list or
   *     a threshold outside [0, 1]
   */
  void validate(Set<String> modelTypes, Set<String> dictionaryTypes) {
    Set<String> known = new java.util.TreeSet<>(modelTypes);
    if (dictionary) {
      known.addAll(dictionaryTypes);
    }
    if (types != null) {
      if (types.isEmpty()) {
        throw new InvalidRequestException(
            400, "INVALID_FIELD", "'types' is empty; leave it out for every type");
      }
      for (String type : types) {
        if (type == null || !known.contains(type)) {
          throw new InvalidRequestException(
              400, "INVALID_FIELD", "'types' has '" + type + "'; known here: " + known);
        }
      }
    }
    if (minProb != null && !(minProb >= 0.0 && minProb <= 1.0)) {
      throw new InvalidRequestException(
          400, "INVALID_FIELD", "'minProb' must be a number from 0 to 1, got " + minProb);
    }
  }
}
