"""Reading (and, for tests, writing) the safetensors format without the `safetensors` package.

The format: an 8-byte little-endian header length N, N bytes of JSON mapping each tensor name to
``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets relative to the end of the header; an
optional ``__metadata__`` entry holds strings), then the raw little-endian tensor bytes. Debian has no
python3-safetensors, and the format is simple enough to parse here.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Dict

import numpy as np
import torch

_NUMPY_DTYPES = {
    "F64": np.float64,
    "F32": np.float32,
    "F16": np.float16,
    "I64": np.int64,
    "I32": np.int32,
    "I16": np.int16,
    "I8": np.int8,
    "U8": np.uint8,
    "BOOL": np.bool_,
}
_MAX_HEADER = 100 * 1024 * 1024


class SafetensorsError(ValueError):
    """A file that is not valid safetensors."""


def load_safetensors(path) -> Dict[str, torch.Tensor]:
    """All tensors of a safetensors file, as CPU tensors (BF16 stays bfloat16)."""
    path = Path(path)
    data = path.read_bytes()
    if len(data) < 8:
        raise SafetensorsError(f"{path}: too short to be a safetensors file")
    (header_len,) = struct.unpack("<Q", data[:8])
    if header_len > min(_MAX_HEADER, len(data) - 8):
        raise SafetensorsError(f"{path}: header length {header_len} does not fit the file")
    try:
        header = json.loads(data[8 : 8 + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise SafetensorsError(f"{path}: header is not JSON ({e})") from None
    if not isinstance(header, dict):
        raise SafetensorsError(f"{path}: header is not a JSON object")
    body = memoryview(data)[8 + header_len :]
    tensors: Dict[str, torch.Tensor] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape, (begin, end) = info["dtype"], list(info["shape"]), info["data_offsets"]
        except (KeyError, TypeError, ValueError):
            raise SafetensorsError(f"{path}: tensor {name!r} has a malformed header entry") from None
        if not 0 <= begin <= end <= len(body):
            raise SafetensorsError(f"{path}: tensor {name!r} data offsets {begin}..{end} lie outside the file")
        raw = body[begin:end]
        count = int(np.prod(shape)) if shape else 1
        if dtype == "BF16":
            if len(raw) != 2 * count:
                raise SafetensorsError(f"{path}: tensor {name!r} has {len(raw)} bytes for shape {shape}")
            bits = np.frombuffer(raw, dtype="<i2").reshape(shape).copy()
            tensors[name] = torch.from_numpy(bits).view(torch.bfloat16)
            continue
        if dtype not in _NUMPY_DTYPES:
            raise SafetensorsError(f"{path}: tensor {name!r} has unsupported dtype {dtype}")
        np_dtype = np.dtype(_NUMPY_DTYPES[dtype]).newbyteorder("<")
        if len(raw) != np_dtype.itemsize * count:
            raise SafetensorsError(f"{path}: tensor {name!r} has {len(raw)} bytes for {dtype} shape {shape}")
        array = np.frombuffer(raw, dtype=np_dtype).reshape(shape).astype(np_dtype.newbyteorder("="))
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


_TORCH_TO_CODE = {
    torch.float64: "F64",
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def save_safetensors(tensors: Dict[str, torch.Tensor], path, metadata: Dict[str, str] = None) -> None:
    """Writes tensors in the safetensors format (used by the tests to build checkpoints)."""
    header: Dict[str, object] = {}
    if metadata:
        header["__metadata__"] = dict(metadata)
    chunks = []
    offset = 0
    for name, tensor in tensors.items():
        tensor = tensor.detach().contiguous().cpu()
        if tensor.dtype == torch.bfloat16:
            raw = tensor.view(torch.int16).numpy().astype("<i2").tobytes()
        else:
            array = tensor.numpy()
            raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": _TORCH_TO_CODE[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % 8)  # the reference writer aligns the body to 8 bytes
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(header_bytes)))
        f.write(header_bytes)
        for raw in chunks:
            f.write(raw)
