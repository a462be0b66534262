"""An exported BERT encoder graph (ONNX, as HuggingFace's exporter writes it) -> a PyTorch state dict for
:class:`nerexport.raner.bert.BertEncoder`, and the check that both compute the same.

The graph names its embeddings, biases and LayerNorm weights (``encoder.layer.N....``) but not the six
weight matrices per layer: each is an ``onnx::MatMul_NNN`` initialiser ``[in, out]``. A matrix is named by
the bias its MatMul's output is added to (``...query.bias`` -> ``...query.weight``) and transposed for
``nn.Linear``. The sizes come from the initialisers, the head count from the attention's score scaling
(a ``Div`` by sqrt(head size)), the LayerNorm epsilon from the ``Add`` before its ``Sqrt``; the activation
must be the exact (``Erf``) GELU. Thread-safe: pure functions.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, Tuple

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from nerexport.raner.bert import BertConfig, BertEncoder


class ConversionError(Exception):
    """The graph is not a BERT encoder this converter understands, or the conversion does not match it."""


def _producers(graph):
    return {out: node for node in graph.node for out in node.output}


def _consumers(graph):
    users: Dict[str, list] = {}
    for node in graph.node:
        for name in node.input:
            users.setdefault(name, []).append(node)
    return users


def _constant_value(graph, name: str, producers):
    inits = {i.name: i for i in graph.initializer}
    if name in inits:
        return numpy_helper.to_array(inits[name])
    node = producers.get(name)
    if node is not None and node.op_type == "Constant":
        return numpy_helper.to_array(node.attribute[0].t)
    return None


def onnx_to_bert(model: onnx.ModelProto) -> Tuple[BertConfig, Dict[str, torch.Tensor]]:
    """``(config, state dict)`` of the encoder in ``model``; raises ConversionError when it does not fit."""
    graph = model.graph
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    producers, users = _producers(graph), _consumers(graph)
    try:
        vocab, hidden = inits["embeddings.word_embeddings.weight"].shape
        positions = inits["embeddings.position_embeddings.weight"].shape[0]
        types = inits["embeddings.token_type_embeddings.weight"].shape[0]
    except KeyError as e:
        raise ConversionError(f"no embedding initialiser {e}: not a BERT encoder graph") from None
    state = {name: torch.from_numpy(np.array(value, dtype=np.float32)) for name, value in inits.items()
             if name.startswith(("embeddings.", "encoder.layer."))}
    for node in graph.node:
        if node.op_type != "MatMul" or node.input[1] not in inits or node.input[1] in state:
            continue
        adds = [u for u in users.get(node.output[0], []) if u.op_type == "Add"]
        biases = [name for add in adds for name in add.input if name.endswith(".bias") and name in inits]
        if len(biases) != 1:
            raise ConversionError(f"MatMul {node.name or node.output[0]}: expected one named bias added to its output, found {biases}")
        weight = biases[0][: -len(".bias")] + ".weight"
        if weight in state:
            raise ConversionError(f"two MatMul weights map to {weight}")
        state[weight] = torch.from_numpy(np.array(inits[node.input[1]], dtype=np.float32).T.copy())
    layers = 1 + max((int(k.split(".")[2]) for k in state if k.startswith("encoder.layer.")), default=-1)
    if layers == 0:
        raise ConversionError("no encoder.layer.N weights in the graph")
    intermediate = state["encoder.layer.0.intermediate.dense.weight"].shape[0]
    config = BertConfig(vocab_size=int(vocab), hidden_size=int(hidden), num_hidden_layers=layers,
                        num_attention_heads=_head_count(graph, producers, hidden), intermediate_size=int(intermediate),
                        max_position_embeddings=int(positions), type_vocab_size=int(types),
                        layer_norm_eps=_layer_norm_eps(graph, producers), hidden_act=_activation(graph))
    expected = BertEncoder(config).state_dict()
    missing = sorted(set(expected) - set(state))
    if missing:
        raise ConversionError(f"weights not found in the graph: {missing[:6]}")
    wrong = [f"{k} {tuple(state[k].shape)} != {tuple(v.shape)}" for k, v in expected.items() if tuple(state[k].shape) != tuple(v.shape)]
    if wrong:
        raise ConversionError(f"weights with unexpected shapes: {wrong[:6]}")
    return config, {k: state[k] for k in expected}


def _head_count(graph, producers, hidden: int) -> int:
    """From the first Div whose divisor is a scalar constant sqrt(head size) after a MatMul of two
    non-constant inputs (the attention scores Q K^T)."""
    for node in graph.node:
        if node.op_type != "Div":
            continue
        left = producers.get(node.input[0])
        divisor = _constant_value(graph, node.input[1], producers)
        if left is None or left.op_type != "MatMul" or divisor is None or np.size(divisor) != 1:
            continue
        head_size = float(np.asarray(divisor).reshape(())) ** 2
        heads = hidden / head_size
        if abs(head_size - round(head_size)) < 1e-3 and abs(heads - round(heads)) < 1e-6:
            return int(round(heads))
    raise ConversionError("no attention score scaling (MatMul -> Div by sqrt(head size)) in the graph")


def _layer_norm_eps(graph, producers) -> float:
    for node in graph.node:
        if node.op_type != "Sqrt":
            continue
        add = producers.get(node.input[0])
        if add is not None and add.op_type == "Add":
            for name in add.input:
                value = _constant_value(graph, name, producers)
                if value is not None and np.size(value) == 1:
                    return float(f"{float(np.asarray(value).reshape(())):.6g}")  # float32 1e-12 -> 1e-12
    if any(node.op_type == "LayerNormalization" for node in graph.node):
        node = next(n for n in graph.node if n.op_type == "LayerNormalization")
        return next((a.f for a in node.attribute if a.name == "epsilon"), 1e-5)
    raise ConversionError("no LayerNorm epsilon found (Add -> Sqrt)")


def _activation(graph) -> str:
    ops = {node.op_type for node in graph.node}
    if "Erf" in ops:
        return "gelu"
    if "Tanh" in ops:
        return "gelu_new"
    raise ConversionError("the feed-forward activation is neither exact GELU (Erf) nor tanh GELU")


def encoder_outputs(config: BertConfig, state: Dict[str, torch.Tensor], ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``last_hidden_state`` of the converted encoder in PyTorch."""
    encoder = BertEncoder(config)
    encoder.load_state_dict(state, strict=True)
    encoder.eval()
    with torch.no_grad():
        return encoder(torch.as_tensor(ids), torch.as_tensor(mask)).numpy()


def check_conversion(run_graph: Callable[[dict], np.ndarray], config: BertConfig, state: Dict[str, torch.Tensor],
                     rows, pad_id: int = 0, atol: float = 1e-5) -> float:
    """Runs the original graph (``run_graph(feeds) -> last_hidden_state``) and the converted encoder on a
    padded batch of ``rows`` and returns the largest difference at real positions; raises ConversionError
    beyond ``atol``."""
    width = max(len(r) for r in rows)
    ids = np.full((len(rows), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, : len(r)] = r
        mask[i, : len(r)] = 1
    feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
    expected = np.asarray(run_graph(feeds))
    got = encoder_outputs(config, state, ids, mask)
    real = mask.astype(bool)
    diff = float(np.max(np.abs(expected[real] - got[real])))
    if not math.isfinite(diff) or diff > atol:
        raise ConversionError(f"converted encoder differs from the graph by {diff:.3g} (tolerance {atol:g})")
    return diff


def ort_runner(model_path, threads: int = 2) -> Callable[[dict], np.ndarray]:
    """The graph run by ONNX Runtime for Python (the reference the conversion is checked against)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}

    def run(feeds):
        return session.run(None, {k: v for k, v in feeds.items() if k in names})[0]

    return run


def numpy_runner(model_bytes: bytes) -> Callable[[dict], np.ndarray]:
    """The graph run by the NumPy evaluator (:mod:`nerexport.onnx_eval`), for machines without ONNX Runtime."""
    from nerexport.onnx_eval import OnnxEvaluator

    evaluator = OnnxEvaluator(model_bytes)
    output = onnx.load_from_string(model_bytes).graph.output[0].name

    def run(feeds):
        return evaluator.run([output], feeds)[0]

    return run
