"""Dictionary features of each position of a row, computed from ``input_ids`` and ``attention_mask`` by the
same int64 arithmetic in PyTorch (:func:`lexicon_features`, used in training) and as ONNX nodes
(:func:`lexicon_nodes`, in the exported graph), so the bundle computes what was trained.

For each length L (1 .. max_pieces) the n-gram of pieces starting at position t is looked up in the table
(:mod:`nerexport.lexicon.table`); an n-gram counts only when all its positions are real pieces (not padding,
``[CLS]`` or ``[SEP]``). Its bits (person, place, organisation, other proper noun, abbreviation, common noun,
other, frequent) become an 8-vector. Per position, the element-wise maximum over the words that
  B: begin there (L >= 2), M: continue through it, E: end there (L >= 2), S: are that piece alone,
plus 4 + 4 flags for the lengths (2, 3, 4, 5+) of the words beginning and ending there: 40 features.
"""

from __future__ import annotations

from typing import List, Tuple

import numpy as np
import torch
from onnx import TensorProto, helper, numpy_helper

from nerexport.lexicon.dictionary import BITS
from nerexport.lexicon.table import BASE_1, BASE_2, PRIME_1, PRIME_2, SHIFT, LexiconTable

LENGTH_BINS = 4  # 2, 3, 4, 5+
FEATURES = 4 * BITS + 2 * LENGTH_BINS


def bit_matrix() -> np.ndarray:
    """``[256, BITS]`` float32: row v holds the bits of v, so a Gather turns bits into a vector."""
    v = np.arange(1 << BITS)[:, None]
    return ((v >> np.arange(BITS)[None, :]) & 1).astype(np.float32)


def _length_bin(length: int) -> int:
    return min(length, 5) - 2


# ---- PyTorch ---------------------------------------------------------------------------------------------


class LexiconTensors:
    """The table as tensors (read-only; thread-safe)."""

    def __init__(self, keys: torch.Tensor, values: torch.Tensor, max_pieces: int, cls_id: int, sep_id: int):
        self.keys = keys
        self.values = values.long()
        self.size = int(keys.shape[0])
        self.max_pieces = max_pieces
        self.bits = torch.from_numpy(bit_matrix())
        self.cls_id, self.sep_id = cls_id, sep_id

    @staticmethod
    def from_table(table: LexiconTable, cls_id: int, sep_id: int) -> "LexiconTensors":
        return LexiconTensors(torch.from_numpy(table.keys), torch.from_numpy(table.values.astype(np.int64)),
                              table.max_pieces, cls_id, sep_id)


def _shift_left(x: torch.Tensor, k: int) -> torch.Tensor:
    """``x[:, t + k]`` at t, zero past the end (dim 1)."""
    if k == 0:
        return x
    return torch.cat([x[:, k:], torch.zeros_like(x[:, :k])], dim=1)[:, : x.shape[1]]


def _shift_right(x: torch.Tensor, k: int) -> torch.Tensor:
    """``x[:, t - k]`` at t, zero before the start (dim 1)."""
    if k == 0:
        return x
    return torch.cat([torch.zeros_like(x[:, :k]), x], dim=1)[:, : x.shape[1]]


def lexicon_features(ids: torch.Tensor, mask: torch.Tensor, lex: LexiconTensors) -> torch.Tensor:
    """``[B, T, FEATURES]`` float32 for int64 ``ids``/``mask`` ``[B, T]``."""
    real = mask * (ids != lex.cls_id).long() * (ids != lex.sep_id).long()
    h1 = torch.zeros_like(ids)
    h2 = torch.zeros_like(ids)
    valid = torch.ones_like(ids)
    single = None
    len_begin = [torch.zeros(ids.shape, dtype=torch.float32) for _ in range(LENGTH_BINS)]
    len_end = [torch.zeros(ids.shape, dtype=torch.float32) for _ in range(LENGTH_BINS)]
    zero = torch.zeros(ids.shape + (BITS,), dtype=torch.float32)
    begin, middle, end = zero, zero, zero
    for length in range(1, lex.max_pieces + 1):
        piece = _shift_left(ids, length - 1)
        valid = valid * _shift_left(real, length - 1)
        h1 = torch.remainder(h1 * BASE_1 + piece + 1, PRIME_1)
        h2 = torch.remainder(h2 * BASE_2 + piece + 1, PRIME_2)
        key = h1 * SHIFT + h2
        slot1 = torch.remainder(key, lex.size)
        slot2 = torch.remainder(torch.div(key, lex.size, rounding_mode="floor"), lex.size)
        hit1 = lex.keys[slot1] == key
        hit2 = lex.keys[slot2] == key
        found = torch.where(hit1, lex.values[slot1], torch.where(hit2, lex.values[slot2], torch.zeros_like(key))) * valid
        vec = lex.bits[found]  # [B, T, BITS]
        if length == 1:
            single = vec
            continue
        any_word = (found > 0).float()
        begin = torch.maximum(begin, vec)
        end = torch.maximum(end, _shift_right(vec, length - 1))
        b = _length_bin(length)
        len_begin[b] = torch.maximum(len_begin[b], any_word)
        len_end[b] = torch.maximum(len_end[b], _shift_right(any_word, length - 1))
        inside = vec
        for _ in range(1, length - 1):
            inside = _shift_right(inside, 1)
            middle = torch.maximum(middle, inside)
    return torch.cat([begin, middle, end, single] + [f.unsqueeze(-1) for f in len_begin + len_end], dim=-1)


# ---- ONNX -------------------------------------------------------------------------------------------------


def lexicon_nodes(table: LexiconTable, cls_id: int, sep_id: int, ids: str, mask: str, out: str, prefix: str = "lex_"
                  ) -> Tuple[List, List]:
    """``(nodes, initialisers)`` computing :func:`lexicon_features` from the int64 tensors named ``ids`` and
    ``mask`` into the float tensor ``out`` ``[B, T, FEATURES]``. Shifts are Slice + Concat with a zero
    column; ``x mod m`` is ``x - (x / m) * m`` on non-negative int64 (exact, and what the NumPy evaluator
    implements too)."""
    n = helper.make_node
    p = prefix
    inits = [
        numpy_helper.from_array(table.keys, f"{p}keys"),
        numpy_helper.from_array(table.values.astype(np.uint8), f"{p}values"),
        numpy_helper.from_array(bit_matrix(), f"{p}bits"),
    ]
    consts = {"one": 1, "zero": 0, "cls": cls_id, "sep": sep_id, "base1": BASE_1, "base2": BASE_2,
              "prime1": PRIME_1, "prime2": PRIME_2, "shift": SHIFT, "size": table.size, "c0": 0,
              "cmax": np.iinfo(np.int64).max}
    for name, value in consts.items():
        inits.append(numpy_helper.from_array(np.array([value], dtype=np.int64), f"{p}{name}"))
    inits.append(numpy_helper.from_array(np.array([1], dtype=np.int64), f"{p}axis1"))
    nodes = []

    def mod(x: str, m: str, name: str) -> str:
        nodes.extend([n("Div", [x, m], [f"{name}_q"]), n("Mul", [f"{name}_q", m], [f"{name}_qm"]),
                      n("Sub", [x, f"{name}_qm"], [name])])
        return name

    def zero_col(x: str, k: int, name: str) -> str:
        """zeros shaped like x[:, :k] (fewer columns when x is shorter: the shifts below still come out right)."""
        inits.append(numpy_helper.from_array(np.array([k], dtype=np.int64), f"{name}_k"))
        nodes.extend([n("Slice", [x, f"{p}c0", f"{name}_k", f"{p}axis1"], [f"{name}_head"]),
                      n("Sub", [f"{name}_head", f"{name}_head"], [name])])
        return name

    def shift_left(x: str, k: int, name: str) -> str:
        if k == 0:
            return x
        zeros = zero_col(x, k, f"{name}_z")
        inits.append(numpy_helper.from_array(np.array([k], dtype=np.int64), f"{name}_from"))
        nodes.extend([n("Slice", [x, f"{name}_from", f"{p}cmax", f"{p}axis1"], [f"{name}_tail"]),
                      n("Concat", [f"{name}_tail", zeros], [f"{name}_long"], axis=1),
                      n("Shape", [x], [f"{name}_shape"]),
                      n("Gather", [f"{name}_shape", f"{p}axis1"], [f"{name}_len"]),
                      n("Slice", [f"{name}_long", f"{p}c0", f"{name}_len", f"{p}axis1"], [name])])
        return name

    def shift_right(x: str, k: int, name: str) -> str:
        """x[:, t - k], zero before the start (rows shorter than k become all zero)."""
        if k == 0:
            return x
        zeros = zero_col(x, k, f"{name}_z")
        nodes.extend([n("Concat", [zeros, x], [f"{name}_long"], axis=1),
                      n("Shape", [x], [f"{name}_shape"]),
                      n("Gather", [f"{name}_shape", f"{p}axis1"], [f"{name}_len"]),
                      n("Slice", [f"{name}_long", f"{p}c0", f"{name}_len", f"{p}axis1"], [name])])
        return name

    # real = mask * (ids != cls) * (ids != sep), int64
    nodes += [
        n("Equal", [ids, f"{p}cls"], [f"{p}is_cls"]), n("Not", [f"{p}is_cls"], [f"{p}not_cls"]),
        n("Cast", [f"{p}not_cls"], [f"{p}not_cls_i"], to=TensorProto.INT64),
        n("Equal", [ids, f"{p}sep"], [f"{p}is_sep"]), n("Not", [f"{p}is_sep"], [f"{p}not_sep"]),
        n("Cast", [f"{p}not_sep"], [f"{p}not_sep_i"], to=TensorProto.INT64),
        n("Mul", [mask, f"{p}not_cls_i"], [f"{p}real_a"]), n("Mul", [f"{p}real_a", f"{p}not_sep_i"], [f"{p}real"]),
        n("Sub", [ids, ids], [f"{p}h1_0"]), n("Sub", [ids, ids], [f"{p}h2_0"]),
        n("Add", [f"{p}h1_0", f"{p}one"], [f"{p}valid_0"]),
    ]
    h1, h2, valid = f"{p}h1_0", f"{p}h2_0", f"{p}valid_0"
    begin = middle = end = single = None
    len_begin: List = [None] * LENGTH_BINS
    len_end: List = [None] * LENGTH_BINS

    def fmax(a, b, name):
        if a is None:
            return b
        nodes.append(n("Max", [a, b], [name]))
        return name

    for length in range(1, table.max_pieces + 1):
        q = f"{p}L{length}_"
        piece = shift_left(ids, length - 1, f"{q}piece")
        real_k = shift_left(f"{p}real", length - 1, f"{q}real")
        nodes.append(n("Mul", [valid, real_k], [f"{q}valid"]))
        valid = f"{q}valid"
        nodes += [n("Add", [piece, f"{p}one"], [f"{q}p1"]),
                  n("Mul", [h1, f"{p}base1"], [f"{q}h1m"]), n("Add", [f"{q}h1m", f"{q}p1"], [f"{q}h1s"]),
                  n("Mul", [h2, f"{p}base2"], [f"{q}h2m"]), n("Add", [f"{q}h2m", f"{q}p1"], [f"{q}h2s"])]
        h1 = mod(f"{q}h1s", f"{p}prime1", f"{q}h1")
        h2 = mod(f"{q}h2s", f"{p}prime2", f"{q}h2")
        nodes += [n("Mul", [h1, f"{p}shift"], [f"{q}h1hi"]), n("Add", [f"{q}h1hi", h2], [f"{q}key"])]
        slot1 = mod(f"{q}key", f"{p}size", f"{q}slot1")
        nodes.append(n("Div", [f"{q}key", f"{p}size"], [f"{q}key_div"]))
        slot2 = mod(f"{q}key_div", f"{p}size", f"{q}slot2")
        nodes += [
            n("Gather", [f"{p}keys", slot1], [f"{q}k1"]), n("Equal", [f"{q}k1", f"{q}key"], [f"{q}hit1"]),
            n("Gather", [f"{p}keys", slot2], [f"{q}k2"]), n("Equal", [f"{q}k2", f"{q}key"], [f"{q}hit2"]),
            n("Gather", [f"{p}values", slot1], [f"{q}v1_u8"]), n("Cast", [f"{q}v1_u8"], [f"{q}v1"], to=TensorProto.INT64),
            n("Gather", [f"{p}values", slot2], [f"{q}v2_u8"]), n("Cast", [f"{q}v2_u8"], [f"{q}v2"], to=TensorProto.INT64),
            n("Sub", [f"{q}v2", f"{q}v2"], [f"{q}v0"]),
            n("Where", [f"{q}hit2", f"{q}v2", f"{q}v0"], [f"{q}v12"]),
            n("Where", [f"{q}hit1", f"{q}v1", f"{q}v12"], [f"{q}vh"]),
            n("Mul", [f"{q}vh", valid], [f"{q}found"]),
            n("Gather", [f"{p}bits", f"{q}found"], [f"{q}vec"]),
        ]
        vec = f"{q}vec"
        if length == 1:
            single = vec
            continue
        nodes += [n("Greater", [f"{q}found", f"{p}zero"], [f"{q}any_b"]),
                  n("Cast", [f"{q}any_b"], [f"{q}any"], to=TensorProto.FLOAT)]
        begin = fmax(begin, vec, f"{q}begin")
        end = fmax(end, shift_right(vec, length - 1, f"{q}vec_end"), f"{q}end")
        b = _length_bin(length)
        len_begin[b] = fmax(len_begin[b], f"{q}any", f"{q}len_begin")
        len_end[b] = fmax(len_end[b], shift_right(f"{q}any", length - 1, f"{q}any_end"), f"{q}len_end")
        inside = vec
        for j in range(1, length - 1):
            inside = shift_right(inside, 1, f"{q}in{j}")
            middle = fmax(middle, inside, f"{q}middle{j}")
    parts = []
    for name, value in (("begin", begin), ("middle", middle), ("end", end), ("single", single)):
        if value is None:  # a table of short words only: a zero block keeps the layout
            nodes.append(n("Sub", [single, single], [f"{p}{name}_zero"]))
            value = f"{p}{name}_zero"
        parts.append(value)
    inits.append(numpy_helper.from_array(np.array([-1], dtype=np.int64), f"{p}last_axis"))
    for k, flag in enumerate(len_begin + len_end):
        if flag is None:
            nodes += [n("Cast", [f"{p}real"], [f"{p}flag{k}_f"], to=TensorProto.FLOAT),
                      n("Sub", [f"{p}flag{k}_f", f"{p}flag{k}_f"], [f"{p}flag{k}_zero"])]
            flag = f"{p}flag{k}_zero"
        nodes.append(n("Unsqueeze", [flag, f"{p}last_axis"], [f"{p}flag{k}"]))
        parts.append(f"{p}flag{k}")
    nodes.append(n("Concat", parts, [out], axis=-1))
    return nodes, inits
