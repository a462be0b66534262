package dev.nersuite.ner.inference;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A model bundle read into memory and checked against the contract in {@code docs/model-bundle.md}:
 * metadata valid, {@code model.onnx} matching its recorded SHA-256. Immutable and thread-safe (the
 * byte arrays are never handed out for writing).
 *
 * @param source where it was read from, for logs and errors
 * @param metadata the validated {@code ner-model.json}
 * @param onnx the bytes of {@code model.onnx}
 * @param tokenizerJson the bytes of {@code tokenizer.json}
 */
public record ModelBundle(
    String source, ModelMetadata metadata, byte[] onnx, byte[] tokenizerJson) {
  /** Classpath folder of the bundles embedded in the application, one sub-folder each. */
  public static final String EMBEDDED_ROOT = "ner-models";

  /** Lists the embedded bundles' folder names, first the default one. */
  static final String EMBEDDED_INDEX = EMBEDDED_ROOT + "/index.txt";

  static final String MODEL_FILE = "model.onnx";
  static final String TOKENIZER_FILE = "tokenizer.json";
  static final String METADATA_FILE = "ner-model.json";

  private static final ObjectMapper MAPPER =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  /** Reads a bundle directory. */
  public static ModelBundle fromDirectory(Path directory) {
    if (!Files.isDirectory(directory)) {
      throw new ModelBundleException("model bundle directory not found: " + directory);
    }
    return create(
        directory.toString(),
        readFile(directory.resolve(METADATA_FILE)),
        readFile(directory.resolve(MODEL_FILE)),
        readFile(directory.resolve(TOKENIZER_FILE)));
  }

  /** The names of the bundles embedded in the application, in the index's order. */
  public static List<String> embeddedNames() {
    String index =
        new String(
            readResource(Thread.currentThread().getContextClassLoader(), EMBEDDED_INDEX),
            StandardCharsets.UTF_8);
    return index
        .lines()
        .map(String::strip)
        .filter(line -> !line.isEmpty() && !line.startsWith("#"))
        .toList();
  }

  /** An embedded bundle by name; its ner-model.json must carry the same name. */
  public static ModelBundle embedded(String name) {
    ModelBundle bundle = fromClasspath(EMBEDDED_ROOT + "/" + name);
    if (!bundle.metadata().name().equals(name)) {
      throw new ModelBundleException(
          bundle.source() + ": ner-model.json names the model " + bundle.metadata().name());
    }
    return bundle;
  }

  /** Reads a bundle from a classpath folder, e.g. {@code ner-models/raner-compact-zh}. */
  public static ModelBundle fromClasspath(String folder) {
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    return create(
        "classpath:" + folder,
        readResource(loader, folder + "/" + METADATA_FILE),
        readResource(loader, folder + "/" + MODEL_FILE),
        readResource(loader, folder + "/" + TOKENIZER_FILE));
  }

  private static ModelBundle create(
      String source, byte[] metadataJson, byte[] onnx, byte[] tokenizerJson) {
    ModelMetadata metadata;
    try {
      metadata = MAPPER.readValue(metadataJson, ModelMetadata.class);
    } catch (IOException e) {
      throw new ModelBundleException(
          source + ": ner-model.json is not valid: " + e.getMessage(), e);
    }
    try {
      metadata.validate();
    } catch (ModelBundleException e) {
      throw new ModelBundleException(source + ": " + e.getMessage(), e);
    }
    if (metadata.modelSha256() != null) {
      String actual = sha256(onnx);
      if (!actual.equalsIgnoreCase(metadata.modelSha256())) {
        throw new ModelBundleException(
            source
                + ": model.onnx fails its integrity check: sha256 "
                + actual
                + ", ner-model.json says "
                + metadata.modelSha256());
      }
    }
    return new ModelBundle(source, metadata, onnx, tokenizerJson);
  }

  /**
   * Opens the bundle for inference, long texts cut into windows of the model's longest row.
   *
   * @param intraOpThreads ONNX Runtime intra-op threads
   * @param maxBatchTokens most padded tokens in one ONNX Runtime call (see {@link BatchRunner})
   */
  public EntityRecognizer open(int intraOpThreads, int maxBatchTokens) {
    return open(intraOpThreads, maxBatchTokens, metadata.maxWordPieces());
  }

  /**
   * Opens the bundle for inference.
   *
   * @param intraOpThreads ONNX Runtime intra-op threads
   * @param maxBatchTokens most padded tokens in one ONNX Runtime call (see {@link BatchRunner})
   * @param windowPieces longest window of a long text, {@code [CLS]} and {@code [SEP]} included; at
   *     most the model's {@code maxWordPieces}
   */
  public EntityRecognizer open(int intraOpThreads, int maxBatchTokens, int windowPieces) {
    if (windowPieces < 16 || windowPieces > metadata.maxWordPieces()) {
      throw new ModelBundleException(
          source
              + ": windows of "
              + windowPieces
              + " pieces; the model takes 16 to "
              + metadata.maxWordPieces());
    }
    WordPieceTokenizer tokenizer = WordPieceTokenizer.load(tokenizerJson, metadata.nfkc());
    try {
      EmissionModel model = EmissionModel.load(onnx, metadata.labels().size(), intraOpThreads);
      return new EntityRecognizer(metadata, tokenizer, model, maxBatchTokens, windowPieces);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JRE", e);
    }
  }

  private static byte[] readFile(Path file) {
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelBundleException("model bundle file missing: " + file, e);
    } catch (IOException e) {
      throw new ModelBundleException("model bundle file unreadable: " + file, e);
    }
  }

  private static byte[] readResource(ClassLoader loader, String name) {
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new ModelBundleException("embedded model bundle file missing: classpath:" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new ModelBundleException("embedded model bundle file unreadable: " + name, e);
    }
  }
}
