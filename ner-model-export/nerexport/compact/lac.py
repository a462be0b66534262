"""Reads Baidu LAC-small (shipped by Debian's python3-jieba in ``jieba/lac_small/``) and converts it into
the compact model's initial weights.

File format (see shared docs/model-sources.md): each ``model_baseline/*`` file is a Paddle LoDTensor:
``u32 version, u64 lod_level, u32 version, i32 desc_len, TensorDesc protobuf, raw little-endian float32``.
LAC's GRU (Paddle ``dynamic_gru``, input already projected by ``fc_k``): ``u = sig(x_u + h W_u + b_u)``,
``r = sig(x_r + h W_r + b_r)``, ``c = tanh(x_c + (r*h) W_c + b_c)``, ``h' = (1-u) h + u c``; its weight
buffer is ``[D x 2D (update|reset)]`` then ``[D x D candidate]``. That is ONNX ``GRU`` with
``linear_before_reset=0`` and ``z = 1 - u`` (so the update gate's weights and biases change sign).
"""

from __future__ import annotations

import struct
import unicodedata
from pathlib import Path
from typing import Dict, Optional

import numpy as np

LAC_OOV_ID = 20940


def default_lac_dir() -> Optional[Path]:
    """The lac_small folder of the installed jieba, or None when jieba (python3-jieba) is absent."""
    try:
        import jieba  # noqa: F401  (only its location is needed)
    except ImportError:
        return None
    path = Path(jieba.__file__).parent / "lac_small"
    return path if (path / "model_baseline" / "word_emb").is_file() else None


def _varint(buf: bytes, pos: int):
    value = shift = 0
    while True:
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            return value, pos


def read_lod_tensor(path) -> np.ndarray:
    """One Paddle LoDTensor file as a float32 array."""
    raw = Path(path).read_bytes()
    try:
        _version, lod_level = struct.unpack_from("<IQ", raw, 0)
        pos = 12
        for _ in range(lod_level):  # each LoD level: u64 byte size, then that many bytes
            (size,) = struct.unpack_from("<Q", raw, pos)
            pos += 8 + size
        _tensor_version, desc_len = struct.unpack_from("<Ii", raw, pos)
        pos += 8
        desc, pos = raw[pos : pos + desc_len], pos + desc_len
        data_type, dims, p = None, [], 0
        while p < len(desc):
            key, p = _varint(desc, p)
            field, wire = key >> 3, key & 7
            if field == 1 and wire == 0:
                data_type, p = _varint(desc, p)
            elif field == 2 and wire == 0:
                d, p = _varint(desc, p)
                dims.append(d)
            elif field == 2 and wire == 2:
                length, p = _varint(desc, p)
                end = p + length
                while p < end:
                    d, p = _varint(desc, p)
                    dims.append(d)
            else:
                raise ValueError(f"unexpected TensorDesc field {field} (wire type {wire})")
    except (struct.error, IndexError) as e:
        raise ValueError(f"{path}: not a Paddle LoDTensor file ({e})") from e
    if data_type != 5:  # VarType.FP32
        raise ValueError(f"{path}: tensor data type {data_type} is not float32 (5)")
    count = int(np.prod(dims))
    if len(raw) - pos != 4 * count:
        raise ValueError(f"{path}: {len(raw) - pos} data bytes do not hold a float32 tensor of shape {dims}")
    return np.frombuffer(raw, dtype="<f4", count=count, offset=pos).reshape(dims).copy()


def read_word_dic(path) -> Dict[str, int]:
    out: Dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line:
                continue
            index, _, token = line.partition("\t")
            out.setdefault(token, int(index))
    return out


def onnx_gru_direction(fc_w, fc_b, gru_w, gru_b):
    """One LAC direction (``fc_k`` projection + ``gru_k``) as ONNX GRU tensors for that direction:
    ``W [3H, in]``, ``R [3H, H]``, ``B [6H]`` (gates in ONNX order z, r, h; ``z = 1 - u``)."""
    hidden = gru_w.shape[0]
    flat = gru_w.reshape(-1)
    w_ur = flat[: hidden * 2 * hidden].reshape(hidden, 2 * hidden)
    w_c = flat[hidden * 2 * hidden :].reshape(hidden, hidden)
    sign = np.concatenate([-np.ones(hidden), np.ones(2 * hidden)]).astype(np.float32)  # z = 1 - u
    W = (fc_w.T * sign[:, None]).astype(np.float32)  # fc_w is [in, 3H] with column blocks u | r | c
    R = (np.concatenate([w_ur.T, w_c.T], axis=0) * sign[:, None]).astype(np.float32)
    B = np.concatenate([fc_b.reshape(-1) * sign, gru_b.reshape(-1) * sign]).astype(np.float32)
    return W, R, B


def load_lac(lac_dir) -> dict:
    """LAC-small's character embedding, vocabulary and both BiGRU layers in ONNX layout:
    ``{"emb": [V, 128], "vocab": {char: id}, "layers": [(W [2,3H,in], R [2,3H,H], B [2,6H]), ...]}``
    with direction 0 forward, 1 reverse."""
    base = Path(lac_dir) / "model_baseline"
    if not base.is_dir():
        raise FileNotFoundError(f"{base}: no LAC model_baseline folder")

    def t(name):
        return read_lod_tensor(base / name)

    layers = []
    for forward, reverse in ((0, 1), (2, 3)):
        dirs = [onnx_gru_direction(t(f"fc_{k}.w_0"), t(f"fc_{k}.b_0"), t(f"gru_{k}.w_0"), t(f"gru_{k}.b_0"))
                for k in (forward, reverse)]
        layers.append(tuple(np.stack([d[i] for d in dirs]) for i in range(3)))
    return {"emb": t("word_emb"), "vocab": read_word_dic(Path(lac_dir) / "word.dic"), "layers": layers}


def bert_embeddings(lac_emb: np.ndarray, lac_vocab: Dict[str, int], bert_vocab: Dict[str, int], seed: int):
    """LAC character embeddings re-indexed to the BERT vocabulary: a one-character token (``##`` stripped)
    takes that character's LAC row (tried as is, NFKC, upper case); a longer token the mean of its
    characters' rows; ``[UNK]`` and unmatched tokens LAC's OOV row; ``[PAD]`` zeros; other special tokens
    small random vectors. Returns ``(embeddings [len(bert_vocab), dim], number of tokens matched)``."""
    rng = np.random.default_rng(seed)
    dim = lac_emb.shape[1]
    out = np.zeros((max(bert_vocab.values()) + 1, dim), dtype=np.float32)
    oov = lac_emb[LAC_OOV_ID] if LAC_OOV_ID < len(lac_emb) else lac_emb.mean(axis=0)

    def char_row(c):
        for candidate in (c, unicodedata.normalize("NFKC", c), c.upper()):
            if candidate in lac_vocab:
                return lac_emb[lac_vocab[candidate]]
        return None

    matched = 0
    for token, index in bert_vocab.items():
        if token == "[PAD]":
            continue
        if token.startswith("[") and token.endswith("]") and len(token) > 2:
            out[index] = oov if token == "[UNK]" else rng.normal(0, 0.1, dim)
            continue
        text = token[2:] if token.startswith("##") and len(token) > 2 else token
        rows = [r for r in (char_row(c) for c in text) if r is not None]
        if rows and len(rows) == len(text):
            matched += 1
        out[index] = np.mean(rows, axis=0) if rows else oov
    return out, matched
