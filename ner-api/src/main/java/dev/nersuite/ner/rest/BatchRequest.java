package dev.nersuite.ner.rest;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /api/v1/ner/batch}.
 *
 * @param texts the texts to recognize
 */
public record BatchRequest(@Schema(required = true) List<String> texts) {}
