package dev.nersuite.ner.rest;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /api/v1/ner}.
 *
 * @param text the text to recognize
 */
public record NerRequest(
    @Schema(required = true, examples = "新华社北京电，国务院总理李强在人民大会堂会见了来访的法国总统。") String text) {}
