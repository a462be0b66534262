"""The compact model as an ONNX graph, written by hand with onnx.helper from the trained weights. Checked in
Python with the shared NumPy evaluator (nerexport.onnx_eval; there is no Python ONNX Runtime here) and in
Java by the golden test, which replays the graph through the real ONNX Runtime.

Graph (opset 13), inputs ``input_ids``/``attention_mask`` int64 [batch, seq], output ``emissions``:
``masked = ids * mask``; left/right neighbours by Slice+Concat with a 0 column; bigram buckets
``((a * 32768 + b) * 2654435761) mod buckets`` (Div/Mul/Sub); the dictionary features
(:func:`nerexport.lexicon.features.lexicon_nodes`); Gather of the character and bigram embeddings; Concat;
Transpose to [seq, batch, features]; two bidirectional ``GRU`` nodes (``linear_before_reset=0``) with
``sequence_lens = Cast<int32>(ReduceSum(mask, axis 1))``; Transpose/Reshape of ``Y`` to [seq, batch, 2H];
MatMul + Add for the emissions.
"""

from __future__ import annotations

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from nerexport.compact.model import HASH_MULTIPLIER, VOCAB_STRIDE, CompactTagger
from nerexport.lexicon.features import lexicon_nodes
from nerexport.onnx_eval import OnnxEvaluator

OPSET = 13


def build_onnx(model: CompactTagger, name: str = "raner-compact-zh") -> bytes:
    """The serialised ONNX model of ``model`` (weights copied as float32 initialisers)."""
    def arr(t):
        return t.detach().cpu().numpy().astype(np.float32)

    hidden = model.gru1.hidden
    bigrams = getattr(model, "bigram_emb", None) is not None
    inits = [
        numpy_helper.from_array(arr(model.char_emb), "char_emb"),
        numpy_helper.from_array(arr(model.emit_w), "emit_w"),
        numpy_helper.from_array(arr(model.emit_b), "emit_b"),
        numpy_helper.from_array(np.array([VOCAB_STRIDE], dtype=np.int64), "stride"),
        numpy_helper.from_array(np.array([HASH_MULTIPLIER], dtype=np.int64), "hash_mul"),
        numpy_helper.from_array(np.array([model.bigram_emb.shape[0] if bigrams else 1], dtype=np.int64), "buckets"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "zero_i64"),
        numpy_helper.from_array(np.array([0], dtype=np.int64), "c0"),
        numpy_helper.from_array(np.array([1], dtype=np.int64), "c1"),
        numpy_helper.from_array(np.array([-1], dtype=np.int64), "cm1"),
        numpy_helper.from_array(np.array([np.iinfo(np.int64).max], dtype=np.int64), "cmax"),
        numpy_helper.from_array(np.array([0, 0, -1], dtype=np.int64), "shape_tb2h"),
    ]
    for k, layer in ((1, model.gru1), (2, model.gru2)):
        inits += [numpy_helper.from_array(arr(layer.W), f"gru{k}_W"),
                  numpy_helper.from_array(arr(layer.R), f"gru{k}_R"),
                  numpy_helper.from_array(arr(layer.B), f"gru{k}_B")]
    if bigrams:
        inits.append(numpy_helper.from_array(arr(model.bigram_emb), "bigram_emb"))
    n = helper.make_node
    nodes = [n("Mul", ["input_ids", "attention_mask"], ["masked"])]
    if bigrams:
        nodes += _bigram_nodes()
    lexicon = bool(model.config.get("lexicon_size"))
    if lexicon:
        lex_nodes, lex_inits = lexicon_nodes(model.lexicon_table(), model.config["cls_id"], model.config["sep_id"],
                                             "input_ids", "attention_mask", "lexicon_features")
        nodes += lex_nodes
        inits += lex_inits
    nodes += [
        n("Gather", ["char_emb", "masked"], ["char_vec"], axis=0),
        n("Concat", (["char_vec", "left_emb", "right_emb"] if bigrams else ["char_vec"]) + (["lexicon_features"] if lexicon else []),
          ["features"], axis=2),
        n("Transpose", ["features"], ["x1"], perm=[1, 0, 2]),
        n("ReduceSum", ["attention_mask", "c1"], ["lengths64"], keepdims=0),
        n("Cast", ["lengths64"], ["lengths"], to=TensorProto.INT32),
    ]
    for k in (1, 2):
        nodes += [
            n("GRU", [f"x{k}", f"gru{k}_W", f"gru{k}_R", f"gru{k}_B", "lengths"], [f"y{k}_dirs"],
              direction="bidirectional", hidden_size=hidden, linear_before_reset=0),
            n("Transpose", [f"y{k}_dirs"], [f"y{k}_t"], perm=[0, 2, 1, 3]),  # [T, B, 2, H]
            n("Reshape", [f"y{k}_t", "shape_tb2h"], [f"x{k + 1}"]),
        ]
    nodes += [
        n("Transpose", ["x3"], ["encoded"], perm=[1, 0, 2]),
        n("MatMul", ["encoded", "emit_w"], ["logits"]),
        n("Add", ["logits", "emit_b"], ["emissions"]),
    ]
    labels = model.emit_w.shape[1]
    used = {name for node in nodes for name in node.input}
    inits = [i for i in inits if i.name in used]  # no unused constants (e.g. without bigrams)
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("emissions", TensorProto.FLOAT, ["batch", "sequence", labels])],
        inits,
    )
    onnx_model = helper.make_model(graph, producer_name="nerexport.compact",
                                   opset_imports=[helper.make_opsetid("", OPSET)])
    onnx_model.ir_version = 8  # ONNX Runtime 1.14+ reads IR 8
    onnx.checker.check_model(onnx_model)
    return onnx_model.SerializeToString()


def _bigram_nodes():
    """Left/right neighbours of each position (0 beyond the row) and their hashed bigram embeddings."""
    n = helper.make_node
    nodes = [
        n("Slice", ["masked", "c0", "c1", "c1"], ["first_col"]),
        n("Mul", ["first_col", "zero_i64"], ["zero_col"]),
        n("Slice", ["masked", "c0", "cm1", "c1"], ["head"]),
        n("Slice", ["masked", "c1", "cmax", "c1"], ["tail"]),
        n("Concat", ["zero_col", "head"], ["prev"], axis=1),
        n("Concat", ["tail", "zero_col"], ["next"], axis=1),
    ]
    for side, a, b in (("left", "prev", "masked"), ("right", "masked", "next")):
        nodes += [
            n("Mul", [a, "stride"], [f"{side}_hi"]),
            n("Add", [f"{side}_hi", b], [f"{side}_key"]),
            n("Mul", [f"{side}_key", "hash_mul"], [f"{side}_hashed"]),
            # hashed mod buckets as hashed - (hashed / buckets) * buckets (int64, hashed >= 0)
            n("Div", [f"{side}_hashed", "buckets"], [f"{side}_quotient"]),
            n("Mul", [f"{side}_quotient", "buckets"], [f"{side}_floor"]),
            n("Sub", [f"{side}_hashed", f"{side}_floor"], [f"{side}_bucket"]),
            n("Gather", ["bigram_emb", f"{side}_bucket"], [f"{side}_emb"], axis=0),
        ]
    return nodes


def run_graph(model_bytes: bytes, input_ids, attention_mask) -> np.ndarray:
    """Emissions of the graph evaluated with the shared NumPy evaluator (nerexport.onnx_eval)."""
    (emissions,) = OnnxEvaluator(model_bytes).run(
        ["emissions"],
        {"input_ids": np.asarray(input_ids, dtype=np.int64), "attention_mask": np.asarray(attention_mask, dtype=np.int64)},
    )
    return emissions
