package dev.nersuite.ner.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The model's encoder and emission layer on ONNX Runtime: rows of word-piece ids in, emission
 * scores out. One {@link OrtSession} per instance; thread-safe ({@code OrtSession.run} may be
 * called concurrently); {@link #close()} only after every call has returned.
 */
public final class EmissionModel implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(EmissionModel.class);
  static final String INPUT_IDS = "input_ids";
  static final String ATTENTION_MASK = "attention_mask";
  static final String TOKEN_TYPE_IDS = "token_type_ids";
  static final String EMISSIONS = "emissions";

  /**
   * Operators that quantise activations with one scale per tensor, computed over the whole input of
   * the call: a row's result then depends on the other rows of its call and on its padding. ONNX
   * Runtime's dynamic quantisation writes them ({@code DynamicQuantizeLinear}) or fuses into them
   * (the {@code com.microsoft} ones).
   */
  static final List<String> BATCH_DEPENDENT_OPERATORS =
      List.of(
          "DynamicQuantizeLinear", "DynamicQuantizeMatMul", "DynamicQuantizeLSTM", "QAttention");

  private final OrtEnvironment environment;
  private final OrtSession session;
  private final boolean takesTokenTypeIds;
  private final int labelCount;
  private final boolean rowsMustRunAlone;

  private EmissionModel(
      OrtEnvironment environment, OrtSession session, int labelCount, boolean rowsMustRunAlone)
      throws OrtException {
    this.environment = environment;
    this.session = session;
    this.labelCount = labelCount;
    this.rowsMustRunAlone = rowsMustRunAlone;
    Map<String, NodeInfo> inputs = session.getInputInfo();
    if (!inputs.containsKey(INPUT_IDS) || !inputs.containsKey(ATTENTION_MASK)) {
      throw new ModelBundleException(
          "model.onnx must take input_ids and attention_mask; it takes " + inputs.keySet());
    }
    this.takesTokenTypeIds = inputs.containsKey(TOKEN_TYPE_IDS);
    NodeInfo output = session.getOutputInfo().get(EMISSIONS);
    if (output == null) {
      throw new ModelBundleException(
          "model.onnx must output emissions; it outputs " + session.getOutputInfo().keySet());
    }
    if (output.getInfo() instanceof TensorInfo tensor) {
      long[] shape = tensor.getShape();
      if (shape.length != 3 || (shape[2] > 0 && shape[2] != labelCount)) {
        throw new ModelBundleException(
            "emissions must be [batch, sequence, "
                + labelCount
                + "]; the graph says "
                + java.util.Arrays.toString(shape));
      }
    }
    LOG.infof(
        "ONNX model inputs %s, outputs %s%s",
        inputs.values(),
        session.getOutputInfo().values(),
        rowsMustRunAlone
            ? "; its activations are quantised per call, so every row runs in a call of its own"
            : "");
  }

  /**
   * Opens a session on the graph.
   *
   * @param onnx the bytes of {@code model.onnx}
   * @param labelCount labels the emissions must have
   * @param intraOpThreads ONNX Runtime intra-op threads
   */
  public static EmissionModel load(byte[] onnx, int labelCount, int intraOpThreads) {
    OrtEnvironment environment = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      OrtSession session = environment.createSession(onnx, options);
      try {
        return new EmissionModel(environment, session, labelCount, quantisesPerCall(onnx));
      } catch (RuntimeException | OrtException e) {
        session.close();
        throw e;
      }
    } catch (OrtException e) {
      throw new ModelBundleException("model.onnx cannot be loaded: " + e.getMessage(), e);
    }
  }

  /**
   * Whether a row's emissions depend on the other rows of its call (and its padding), so that each
   * row must run alone for batching never to change a result: true for graphs with dynamically
   * quantised activations (int8 bundle variants). Batch-independent graphs, the contract's rule,
   * answer false.
   */
  public boolean rowsMustRunAlone() {
    return rowsMustRunAlone;
  }

  /**
   * Whether a serialised ONNX graph uses one of {@link #BATCH_DEPENDENT_OPERATORS}: operator types
   * are stored as plain strings in the protobuf, so a byte search finds them without parsing it.
   */
  static boolean quantisesPerCall(byte[] onnx) {
    for (String operator : BATCH_DEPENDENT_OPERATORS) {
      if (indexOf(onnx, operator.getBytes(StandardCharsets.US_ASCII)) >= 0) {
        return true;
      }
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      if (haystack[i] != needle[0]) {
        continue;
      }
      for (int j = 1; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Runs rows of ids; each row is padded to the longest with {@code padId} and attention 0.
   *
   * @param rows ids of each row, {@code [CLS] ... [SEP]}
   * @param padId id of {@code [PAD]}
   * @return per row, {@code [row length][labels]} emissions (padding cut off)
   */
  public float[][][] run(List<long[]> rows, long padId) {
    int batch = rows.size();
    int width = rows.stream().mapToInt(row -> row.length).max().orElse(0);
    long[] ids = new long[batch * width];
    long[] mask = new long[batch * width];
    for (int r = 0; r < batch; r++) {
      long[] row = rows.get(r);
      int offset = r * width;
      java.util.Arrays.fill(ids, offset, offset + width, padId);
      System.arraycopy(row, 0, ids, offset, row.length);
      java.util.Arrays.fill(mask, offset, offset + row.length, 1L);
    }
    long[] shape = {batch, width};
    Map<String, OnnxTensor> inputs = new HashMap<>();
    try {
      inputs.put(INPUT_IDS, OnnxTensor.createTensor(environment, LongBuffer.wrap(ids), shape));
      inputs.put(
          ATTENTION_MASK, OnnxTensor.createTensor(environment, LongBuffer.wrap(mask), shape));
      if (takesTokenTypeIds) {
        inputs.put(
            TOKEN_TYPE_IDS,
            OnnxTensor.createTensor(environment, LongBuffer.wrap(new long[batch * width]), shape));
      }
      try (OrtSession.Result result = session.run(inputs, java.util.Set.of(EMISSIONS))) {
        OnnxTensor emissions = (OnnxTensor) result.get(EMISSIONS).orElseThrow();
        FloatBuffer buffer = emissions.getFloatBuffer();
        float[][][] out = new float[batch][][];
        for (int r = 0; r < batch; r++) {
          int length = rows.get(r).length;
          out[r] = new float[length][labelCount];
          for (int t = 0; t < length; t++) {
            buffer.position((r * width + t) * labelCount);
            buffer.get(out[r][t]);
          }
        }
        return out;
      }
    } catch (OrtException e) {
      throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      inputs.values().forEach(OnnxTensor::close);
    }
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("closing the ONNX session failed", e);
    }
  }
}
