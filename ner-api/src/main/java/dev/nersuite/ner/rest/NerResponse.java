package dev.nersuite.ner.rest;

import dev.nersuite.ner.service.Mention;
import java.util.List;

/**
 * Answer of {@code POST /api/v1/ner}.
 *
 * @param model name of the model that answered
 * @param modelVersion its version
 * @param entities the mentions found, in text order
 */
public record NerResponse(String model, String modelVersion, List<Mention> entities) {}
