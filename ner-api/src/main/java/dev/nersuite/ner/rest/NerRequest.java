package dev.nersuite.ner.rest;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /api/v1/ner}.
 *
 * @param text the text to recognize
 * @param model the model to use; the default model when absent
 * @param types return only entities of these types
 * @param minProb return only entities whose prob is at least this
 * @param dictionary false: the model's output alone, without the user dictionary
 */
public record NerRequest(
    @Schema(required = true, examples = "新华社北京电，国务院总理李强在人民大会堂会见了来访的法国总统。") String text,
    @Schema(description = "A model name from GET /api/v1/models; the default model when absent")
        String model,
    @Schema(
            description = "Only entities of these types (of the model's entity types)",
            examples = "[\"PER\", \"ORG\"]")
        List<String> types,
    @Schema(
            description = "Only entities with prob at least this, from 0 to 1",
            minimum = "0",
            maximum = "1")
        Double minProb,
    @Schema(
            description =
                "false: the model's output alone, without the user dictionary; default true")
        Boolean dictionary)
    implements RecognitionFields {}
