"""A small NumPy evaluator for ONNX graphs, so exports can be checked numerically in Python.

There is no Python ONNX Runtime here, and Debian's python3-onnx is 1.12, whose package has no
``onnx.reference`` evaluator (it arrived in onnx 1.13). This module runs a graph node by node with NumPy,
following the ONNX operator specifications, for the operators that our exports contain: what
``torch.onnx.export`` (opset 14) emits for a BERT encoder and for recurrent encoders (``GRU``/``LSTM``
with ``sequence_lens``), plus common elementwise and shape operators. An unsupported operator raises
:class:`UnsupportedOperator` naming it, so a check never passes silently.

It is a verification tool, not a runtime: it is slow for large models, computes in the graph's dtypes
(float32 stays float32, ``Erf`` is exact) and is checked in the tests against PyTorch. The final word on
what ner-api computes is still the Java golden-file test through ONNX Runtime.
"""

from __future__ import annotations

import math
from typing import Callable, Dict, List, Optional, Sequence

import numpy as np


class UnsupportedOperator(NotImplementedError):
    """The graph uses an operator (or an attribute value) this evaluator does not implement."""


def _np_dtype(onnx_type: int):
    from onnx import mapping

    return np.dtype(mapping.TENSOR_TYPE_TO_NP_TYPE[onnx_type])


_erf = np.frompyfunc(math.erf, 1, 1)


def _int_div(a, b):
    # ONNX integer Div truncates toward zero (C semantics), NumPy's // floors. Exact in integers: a float
    # division would round int64 values beyond 2^53.
    a, b = np.asarray(a), np.asarray(b)
    quotient = np.abs(a) // np.abs(b)
    return np.where((a < 0) != (b < 0), -quotient, quotient).astype(np.result_type(a, b))


def _axes(node_inputs, attrs, index):
    """Axes from the input at ``index`` (newer opsets) or the ``axes`` attribute (older)."""
    if len(node_inputs) > index and node_inputs[index] is not None:
        return [int(a) for a in np.asarray(node_inputs[index]).reshape(-1)]
    if "axes" in attrs:
        return [int(a) for a in attrs["axes"]]
    return None


def _reduce(fn):
    def op(inputs, attrs):
        data = inputs[0]
        axes = _axes(inputs, attrs, 1)
        keepdims = bool(attrs.get("keepdims", 1))
        if axes is None or len(axes) == 0:
            if attrs.get("noop_with_empty_axes", 0) and axes is not None:
                return [data]
            axes = list(range(data.ndim))
        return [fn(data, axis=tuple(a % data.ndim for a in axes), keepdims=keepdims).astype(data.dtype)]

    return op


def _softmax(inputs, attrs, log=False):
    x = inputs[0]
    axis = attrs.get("axis", -1)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    e = np.exp(shifted)
    s = np.sum(e, axis=axis, keepdims=True)
    return [(shifted - np.log(s)).astype(x.dtype) if log else (e / s).astype(x.dtype)]


def _reshape(inputs, attrs):
    data, shape = inputs[0], [int(s) for s in inputs[1]]
    if not attrs.get("allowzero", 0):
        shape = [data.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    return [data.reshape(shape)]


def _slice(inputs, attrs):
    data = inputs[0]
    starts, ends = [int(v) for v in inputs[1]], [int(v) for v in inputs[2]]
    axes = [int(v) for v in inputs[3]] if len(inputs) > 3 and inputs[3] is not None else list(range(len(starts)))
    steps = [int(v) for v in inputs[4]] if len(inputs) > 4 and inputs[4] is not None else [1] * len(starts)
    index = [slice(None)] * data.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        dim = data.shape[axis]
        # Clamp huge sentinel values (INT64_MAX/MIN) the way the spec does.
        start = max(-dim - 1, min(dim, start))
        end = max(-dim - 1, min(dim, end))
        if step > 0:
            index[axis] = slice(max(0, start + dim if start < 0 else start), max(0, end + dim if end < 0 else end), step)
        else:
            start = start + dim if start < 0 else min(start, dim - 1)
            end = end + dim if end < 0 else end
            index[axis] = slice(start, None if end < 0 else end, step)
    return [data[tuple(index)]]


def _split(inputs, attrs, n_outputs):
    data = inputs[0]
    axis = attrs.get("axis", 0)
    if len(inputs) > 1 and inputs[1] is not None:
        sizes = [int(s) for s in inputs[1]]
    elif "split" in attrs:
        sizes = [int(s) for s in attrs["split"]]
    else:
        sizes = [data.shape[axis] // n_outputs] * n_outputs
    return list(np.split(data, np.cumsum(sizes)[:-1], axis=axis))


def _gemm(inputs, attrs):
    a, b = inputs[0], inputs[1]
    if attrs.get("transA", 0):
        a = a.T
    if attrs.get("transB", 0):
        b = b.T
    y = attrs.get("alpha", 1.0) * (a @ b)
    if len(inputs) > 2 and inputs[2] is not None:
        y = y + attrs.get("beta", 1.0) * inputs[2]
    return [y.astype(inputs[0].dtype)]


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


_ACTIVATIONS: Dict[str, Callable] = {"Sigmoid": _sigmoid, "Tanh": np.tanh, "Relu": lambda x: np.maximum(x, 0)}


def _activation_list(attrs, defaults: Sequence[str], directions: int) -> List[Callable]:
    names = attrs.get("activations")
    names = [n.decode() if isinstance(n, bytes) else n for n in names] if names else list(defaults) * directions
    for n in names:
        if n not in _ACTIVATIONS:
            raise UnsupportedOperator(f"recurrent activation {n}")
    if attrs.get("clip") is not None:
        raise UnsupportedOperator("recurrent 'clip' attribute")
    return [_ACTIVATIONS[n] for n in names]


def _recurrent(inputs, attrs, kind: str):
    """ONNX GRU / LSTM (layout 0): X [seq, batch, in] -> Y [seq, dirs, batch, H], Y_h (and Y_c)."""
    if attrs.get("layout", 0) != 0:
        raise UnsupportedOperator(f"{kind} layout=1")
    x, w, r = inputs[0], inputs[1], inputs[2]
    get = lambda i: inputs[i] if len(inputs) > i and inputs[i] is not None else None  # noqa: E731
    b, seq_lens, init_h = get(3), get(4), get(5)
    init_c, peep = (get(6), get(7)) if kind == "LSTM" else (None, None)
    if peep is not None:
        raise UnsupportedOperator("LSTM peepholes")
    direction = attrs.get("direction", b"forward")
    direction = direction.decode() if isinstance(direction, bytes) else direction
    dirs = 2 if direction == "bidirectional" else 1
    seq, batch, _ = x.shape
    hidden = int(attrs.get("hidden_size", r.shape[-1]))
    gates = 3 if kind == "GRU" else 4
    acts = _activation_list(attrs, ["Sigmoid", "Tanh"] if kind == "GRU" else ["Sigmoid", "Tanh", "Tanh"], dirs)
    per_dir = len(acts) // dirs
    lens = np.full(batch, seq, dtype=np.int64) if seq_lens is None else np.asarray(seq_lens, dtype=np.int64)
    dtype = x.dtype
    y = np.zeros((seq, dirs, batch, hidden), dtype=dtype)
    y_h = np.zeros((dirs, batch, hidden), dtype=dtype)
    y_c = np.zeros((dirs, batch, hidden), dtype=dtype)
    for d in range(dirs):
        reverse = direction == "reverse" or d == 1
        f, g = acts[d * per_dir], acts[d * per_dir + 1]
        h_act = acts[d * per_dir + 2] if kind == "LSTM" else None
        wb = b[d, : gates * hidden] if b is not None else np.zeros(gates * hidden, dtype)
        rb = b[d, gates * hidden :] if b is not None else np.zeros(gates * hidden, dtype)
        for n in range(batch):
            h = init_h[d, n].copy() if init_h is not None else np.zeros(hidden, dtype)
            c = init_c[d, n].copy() if init_c is not None else np.zeros(hidden, dtype)
            length = int(lens[n])
            steps = range(length - 1, -1, -1) if reverse else range(length)
            for t in steps:
                xw = x[t, n] @ w[d].T + wb
                if kind == "GRU":
                    hr = h @ r[d].T
                    z = f(xw[:hidden] + hr[:hidden] + rb[:hidden])
                    rr = f(xw[hidden : 2 * hidden] + hr[hidden : 2 * hidden] + rb[hidden : 2 * hidden])
                    rh, rbh = r[d][2 * hidden :], rb[2 * hidden :]
                    if attrs.get("linear_before_reset", 0):
                        cand = g(xw[2 * hidden :] + rr * (h @ rh.T + rbh))
                    else:
                        cand = g(xw[2 * hidden :] + (rr * h) @ rh.T + rbh)
                    h = ((1 - z) * cand + z * h).astype(dtype)
                else:
                    s = xw + h @ r[d].T + rb
                    i_g, o_g = f(s[:hidden]), f(s[hidden : 2 * hidden])
                    f_g, c_g = f(s[2 * hidden : 3 * hidden]), g(s[3 * hidden :])
                    c = (f_g * c + i_g * c_g).astype(dtype)
                    h = (o_g * h_act(c)).astype(dtype)
                y[t, d, n] = h
            y_h[d, n] = h
            y_c[d, n] = c
    return [y, y_h] if kind == "GRU" else [y, y_h, y_c]


def _binary(fn):
    return lambda inputs, attrs: [fn(inputs[0], inputs[1])]


def _unary(fn):
    return lambda inputs, attrs: [np.asarray(fn(inputs[0])).astype(inputs[0].dtype)]


def _div(inputs, attrs):
    a, b = inputs
    if np.issubdtype(np.result_type(a, b), np.integer):
        return [_int_div(a, b)]
    return [(a / b).astype(np.result_type(a, b))]


def _pow(inputs, attrs):
    return [np.power(inputs[0], inputs[1]).astype(inputs[0].dtype)]


def _constant(inputs, attrs):
    from onnx import numpy_helper

    if "value" in attrs:
        return [numpy_helper.to_array(attrs["value"])]
    for key, dtype in (("value_float", np.float32), ("value_floats", np.float32), ("value_int", np.int64), ("value_ints", np.int64)):
        if key in attrs:
            return [np.asarray(attrs[key], dtype=dtype)]
    raise UnsupportedOperator("Constant without value/value_float(s)/value_int(s)")


def _constant_of_shape(inputs, attrs):
    from onnx import numpy_helper

    value = numpy_helper.to_array(attrs["value"]).reshape(-1)[0] if "value" in attrs else np.float32(0)
    return [np.full([int(s) for s in inputs[0]], value, dtype=np.asarray(value).dtype)]


def _gather(inputs, attrs):
    return [np.take(inputs[0], inputs[1].astype(np.int64), axis=attrs.get("axis", 0))]


def _unsqueeze(inputs, attrs):
    data = inputs[0]
    axes = sorted(a % (data.ndim + len(_axes(inputs, attrs, 1))) for a in _axes(inputs, attrs, 1))
    for a in axes:
        data = np.expand_dims(data, a)
    return [data]


def _squeeze(inputs, attrs):
    axes = _axes(inputs, attrs, 1)
    return [np.squeeze(inputs[0], axis=tuple(axes) if axes else None)]


def _dynamic_quantize_linear(inputs, attrs):
    # ONNX DynamicQuantizeLinear: uint8, the range always including 0, round half to even.
    x = inputs[0].astype(np.float32)
    low, high = min(0.0, float(x.min())), max(0.0, float(x.max()))
    scale = np.float32((high - low) / 255.0) if high > low else np.float32(1.0)
    zero_point = np.clip(np.rint(-low / scale), 0, 255)
    y = np.clip(np.rint(x / scale) + zero_point, 0, 255).astype(np.uint8)
    return [y, np.asarray(scale, dtype=np.float32), np.asarray(zero_point, dtype=np.uint8)]


def _matmul_integer(inputs, attrs):
    a = inputs[0].astype(np.int32)
    b = inputs[1].astype(np.int32)
    if len(inputs) > 2 and inputs[2] is not None:
        a = a - inputs[2].astype(np.int32)
    if len(inputs) > 3 and inputs[3] is not None:
        b = b - inputs[3].astype(np.int32)
    return [np.matmul(a, b).astype(np.int32)]


def _dequantize_linear(inputs, attrs):
    x, scale = inputs[0], inputs[1]
    zero_point = inputs[2] if len(inputs) > 2 and inputs[2] is not None else np.zeros_like(scale, dtype=x.dtype)
    if np.ndim(scale) == 1 and np.size(scale) > 1:  # per axis
        shape = [1] * x.ndim
        shape[attrs.get("axis", 1)] = -1
        scale, zero_point = scale.reshape(shape), zero_point.reshape(shape)
    return [((x.astype(np.int32) - zero_point.astype(np.int32)) * scale).astype(np.float32)]


_OPS: Dict[str, Callable] = {
    "Add": _binary(np.add),
    "Sub": _binary(np.subtract),
    "Mul": _binary(np.multiply),
    "Div": _div,
    "Pow": _pow,
    "Equal": _binary(np.equal),
    "Less": _binary(np.less),
    "Greater": _binary(np.greater),
    "And": _binary(np.logical_and),
    "Or": _binary(np.logical_or),
    "Not": lambda i, a: [np.logical_not(i[0])],
    "Neg": _unary(np.negative),
    "Abs": _unary(np.abs),
    "Sqrt": _unary(np.sqrt),
    "Exp": _unary(np.exp),
    "Log": _unary(np.log),
    "Reciprocal": _unary(np.reciprocal),
    "Tanh": _unary(np.tanh),
    "Sigmoid": _unary(_sigmoid),
    "Relu": _unary(lambda x: np.maximum(x, 0)),
    "Erf": lambda i, a: [_erf(i[0].astype(np.float64)).astype(i[0].dtype)],
    "Identity": lambda i, a: [i[0]],
    "Cast": lambda i, a: [i[0].astype(_np_dtype(a["to"]))],
    "Constant": _constant,
    "ConstantOfShape": _constant_of_shape,
    "Shape": lambda i, a: [np.asarray(i[0].shape, dtype=np.int64)[a.get("start", 0) : a.get("end", None)]],
    "Gather": _gather,
    "Unsqueeze": _unsqueeze,
    "Squeeze": _squeeze,
    "Concat": lambda i, a: [np.concatenate([x for x in i if x is not None], axis=a["axis"])],
    "Reshape": _reshape,
    "Transpose": lambda i, a: [np.transpose(i[0], a.get("perm"))],
    "Flatten": lambda i, a: [i[0].reshape(int(np.prod(i[0].shape[: a.get("axis", 1)])), -1)],
    "Expand": lambda i, a: [i[0] * np.ones([int(s) for s in i[1]], dtype=i[0].dtype)],
    "Tile": lambda i, a: [np.tile(i[0], [int(s) for s in i[1]])],
    "Where": lambda i, a: [np.where(i[0], i[1], i[2])],
    "Max": lambda i, a: [np.maximum.reduce(np.broadcast_arrays(*i))],
    "DynamicQuantizeLinear": _dynamic_quantize_linear,
    "MatMulInteger": _matmul_integer,
    "DequantizeLinear": _dequantize_linear,
    "Range": lambda i, a: [np.arange(i[0], i[1], i[2]).astype(np.result_type(i[0], i[1], i[2]))],
    "Slice": _slice,
    "MatMul": lambda i, a: [np.matmul(i[0], i[1])],
    "Gemm": _gemm,
    "ReduceMean": _reduce(np.mean),
    "ReduceSum": _reduce(np.sum),
    "ReduceMax": _reduce(np.max),
    "Softmax": _softmax,
    "LogSoftmax": lambda i, a: _softmax(i, a, log=True),
    "GRU": lambda i, a: _recurrent(i, a, "GRU"),
    "LSTM": lambda i, a: _recurrent(i, a, "LSTM"),
}


class OnnxEvaluator:
    """Runs an ONNX graph (bytes, path or ModelProto) with NumPy. Not thread-safe; cheap to create."""

    def __init__(self, model):
        import onnx
        from onnx import helper, numpy_helper

        if isinstance(model, (bytes, bytearray)):
            model = onnx.load_from_string(bytes(model))
        elif not isinstance(model, onnx.ModelProto):
            model = onnx.load(str(model))
        for opset in model.opset_import:
            if opset.domain not in ("", "ai.onnx"):
                raise UnsupportedOperator(f"operator domain {opset.domain!r}")
        self.graph = model.graph
        self.initializers = {t.name: numpy_helper.to_array(t) for t in self.graph.initializer}
        self.input_names = [i.name for i in self.graph.input if i.name not in self.initializers]
        self.output_names = [o.name for o in self.graph.output]
        self._nodes = []
        for node in self.graph.node:
            if node.op_type not in _OPS or node.domain not in ("", "ai.onnx"):
                raise UnsupportedOperator(f"operator {node.domain + '.' if node.domain else ''}{node.op_type} (node {node.name})")
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            self._nodes.append((node, attrs))

    def run(self, output_names: Optional[Sequence[str]], feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
        """Evaluates the graph; returns the requested outputs (all graph outputs when None)."""
        missing = [n for n in self.input_names if n not in feeds]
        if missing:
            raise ValueError(f"missing graph inputs {missing}")
        values: Dict[str, np.ndarray] = dict(self.initializers)
        values.update({k: np.asarray(v) for k, v in feeds.items()})
        for node, attrs in self._nodes:
            args = [values[name] if name else None for name in node.input]
            results = _split(args, attrs, len(node.output)) if node.op_type == "Split" else _OPS[node.op_type](args, attrs)
            for name, value in zip(node.output, results):
                if name:
                    values[name] = np.asarray(value)
        return [values[name] for name in (output_names or self.output_names)]


_OPS["Split"] = None  # dispatched in run() because it needs the number of outputs


def supported_operators() -> List[str]:
    return sorted(_OPS)
