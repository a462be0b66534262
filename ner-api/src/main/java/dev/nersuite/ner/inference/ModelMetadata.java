package dev.nersuite.ner.inference;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * The contents of a bundle's {@code ner-model.json} (see {@code docs/model-bundle.md}). Immutable
 * and thread-safe once validated.
 *
 * @param format bundle format version; only 1 is understood
 * @param name model name reported by the API
 * @param version model version reported by the API
 * @param description free text for humans
 * @param architecture e.g. {@code bert-crf}, {@code bigru-crf}
 * @param labels label names in emission id order
 * @param scheme {@code BIO} or {@code BIOES}
 * @param crf CRF parameters
 * @param maxWordPieces longest row the model takes, {@code [CLS]} and {@code [SEP]} included
 * @param normalization {@code NFKC} or {@code none}
 * @param modelSha256 hex SHA-256 of {@code model.onnx}, checked at load when present
 * @param provenance free-form provenance
 * @param evaluation free-form evaluation figures
 * @param serving optional settings the bundle's authors measured as best for it; the service's
 *     configuration overrides them
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ModelMetadata(
    int format,
    String name,
    String version,
    String description,
    String architecture,
    List<String> labels,
    String scheme,
    Crf crf,
    int maxWordPieces,
    String normalization,
    String modelSha256,
    JsonNode provenance,
    JsonNode evaluation,
    Serving serving) {

  /**
   * Serving settings a bundle recommends (measured by its authors, e.g. in bench/).
   *
   * @param intraOpThreads ONNX Runtime intra-op threads per worker
   * @param maxBatchTokens most padded tokens per ONNX Runtime call
   * @param windowPieces longest window a long text is cut into, in word-pieces with {@code [CLS]}
   *     and {@code [SEP]}; at most {@code maxWordPieces} (a BERT's attention costs more per token
   *     in longer rows, so shorter overlapping windows can be cheaper)
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Serving(Integer intraOpThreads, Integer maxBatchTokens, Integer windowPieces) {}

  /**
   * CRF parameters.
   *
   * @param start score of starting with each label
   * @param end score of ending with each label
   * @param transitions score of each transition, indexed {@code [from][to]}
   */
  @JsonIgnoreProperties(ignoreUnknown = true)
  public record Crf(float[] start, float[] end, float[][] transitions) {}

  /**
   * Checks the fields a reader depends on.
   *
   * @throws ModelBundleException naming the first field that is wrong
   */
  public void validate() {
    if (format != 1) {
      throw new ModelBundleException(
          "ner-model.json: unsupported format " + format + ", expected 1");
    }
    require(name != null && !name.isBlank(), "name is missing");
    require(labels != null && !labels.isEmpty(), "labels are missing");
    require(
        "BIO".equals(scheme) || "BIOES".equals(scheme), "scheme must be BIO or BIOES: " + scheme);
    require(crf != null, "crf is missing");
    int size = labels.size();
    require(crf.start() != null && crf.start().length == size, "crf.start must have one per label");
    require(crf.end() != null && crf.end().length == size, "crf.end must have one per label");
    require(
        crf.transitions() != null && crf.transitions().length == size,
        "crf.transitions must be labels x labels");
    for (float[] row : crf.transitions()) {
      require(row != null && row.length == size, "crf.transitions must be labels x labels");
    }
    require(maxWordPieces >= 3, "maxWordPieces must be at least 3");
    require(
        normalization == null || "NFKC".equals(normalization) || "none".equals(normalization),
        "normalization must be NFKC or none: " + normalization);
    for (String label : labels) {
      TagScheme.parse(label); // throws on a label that is not O or X-TYPE
    }
    if (serving != null) {
      require(
          serving.intraOpThreads() == null || serving.intraOpThreads() >= 1,
          "serving.intraOpThreads must be at least 1");
      require(
          serving.maxBatchTokens() == null || serving.maxBatchTokens() >= 3,
          "serving.maxBatchTokens must be at least 3");
      require(
          serving.windowPieces() == null
              || (serving.windowPieces() >= 16 && serving.windowPieces() <= maxWordPieces),
          "serving.windowPieces must be between 16 and maxWordPieces");
    }
  }

  /** The entity types the labels name, sorted. */
  public List<String> entityTypes() {
    return labels.stream()
        .map(label -> TagScheme.parse(label).type())
        .filter(java.util.Objects::nonNull)
        .distinct()
        .sorted()
        .toList();
  }

  /** Whether the text is NFKC-normalised before tokenizing. */
  public boolean nfkc() {
    return "NFKC".equals(normalization);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ModelBundleException("ner-model.json: " + message);
    }
  }
}
