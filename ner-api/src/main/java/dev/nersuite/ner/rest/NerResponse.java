package dev.nersuite.ner.rest;

import dev.nersuite.ner.inference.Entity;
import java.util.List;

/**
 * Answer of {@code POST /api/v1/ner}.
 *
 * @param model name of the model that answered
 * @param entities the mentions found, in text order
 */
public record NerResponse(String model, List<Entity> entities) {}
