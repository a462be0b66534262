package dev.nersuite.ner.rest;

import dev.nersuite.ner.service.RecognitionOptions;
import java.util.List;

/**
 * The optional fields both recognition bodies share ({@link NerRequest}, {@link BatchRequest}), and
 * the service options they make.
 */
interface RecognitionFields {
  String model();

  List<String> types();

  Double minProb();

  Boolean dictionary();

  /** The options of this request; the dictionary applies unless {@code "dictionary": false}. */
  default RecognitionOptions options() {
    return new RecognitionOptions(
        model(), types(), minProb(), dictionary() == null || dictionary());
  }
}
