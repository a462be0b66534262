"""The NumPy ONNX evaluator against PyTorch: exported modules, recurrent ops with sequence_lens, errors."""

import io

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper, numpy_helper
from torch import nn

from nerexport.onnx_eval import OnnxEvaluator, UnsupportedOperator


def export(module, args, input_names, dynamic_axes=None):
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(module, args, buffer, input_names=input_names, output_names=["out"], dynamic_axes=dynamic_axes, opset_version=14)
    return buffer.getvalue()


class Mixed(nn.Module):
    """Elementwise, reduction, shape and gather operators as torch exports them."""

    def forward(self, x, idx):
        y = torch.nn.functional.gelu(x) * torch.sigmoid(x) + torch.tanh(x) - torch.relu(-x)
        y = y / (x.abs() + 1.0) + x.pow(2).mean(-1, keepdim=True).sqrt()
        y = torch.softmax(y, dim=-1) + torch.log_softmax(y, dim=1)
        z = y.reshape(y.shape[0], -1, 2).transpose(1, 2)[:, :, 1:]
        picked = torch.index_select(x, 1, idx)
        return torch.cat([z.reshape(z.shape[0], -1), picked, x[:, -1:].expand(-1, 2)], dim=1).unsqueeze(1).squeeze(1)


def test_exported_elementwise_graph_matches_torch():
    torch.manual_seed(0)
    x = torch.randn(3, 6)
    idx = torch.tensor([0, 5, 2])
    graph = OnnxEvaluator(export(Mixed(), (x, idx), ["x", "idx"], {"x": {0: "b"}}))
    x2 = torch.randn(4, 6)
    (got,) = graph.run(None, {"x": x2.numpy(), "idx": idx.numpy()})
    np.testing.assert_allclose(got, Mixed()(x2, idx).numpy(), atol=1e-5)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_exported_gru_and_lstm_match_torch(bidirectional):
    torch.manual_seed(1)
    for cell in (nn.GRU, nn.LSTM):
        rnn = cell(5, 4, num_layers=2, batch_first=True, bidirectional=bidirectional)

        class Wrap(nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = rnn

            def forward(self, x):
                return self.rnn(x)[0]

        x = torch.randn(2, 7, 5)
        graph = OnnxEvaluator(export(Wrap(), (x,), ["x"], {"x": {0: "b", 1: "t"}}))
        x2 = torch.randn(3, 4, 5)
        (got,) = graph.run(None, {"x": x2.numpy()})
        with torch.no_grad():
            np.testing.assert_allclose(got, Wrap()(x2).numpy(), atol=1e-5, err_msg=cell.__name__)


def test_gru_sequence_lens_matches_torch_on_each_row_alone():
    """A bidirectional ONNX GRU with sequence_lens gives each row what torch gives it unpadded, and zeros
    after its length (the contract's padding invariance for recurrent encoders)."""
    torch.manual_seed(2)
    hidden, inputs = 3, 4
    gru = nn.GRU(inputs, hidden, bidirectional=True)

    def onnx_weights(suffix):
        # torch gate order r, z, n -> ONNX z, r, h
        w, r = getattr(gru, f"weight_ih_l0{suffix}").detach(), getattr(gru, f"weight_hh_l0{suffix}").detach()
        bw, br = getattr(gru, f"bias_ih_l0{suffix}").detach(), getattr(gru, f"bias_hh_l0{suffix}").detach()
        order = lambda t: torch.cat([t[hidden : 2 * hidden], t[:hidden], t[2 * hidden :]])  # noqa: E731
        return order(w), order(r), torch.cat([order(bw), order(br)])

    fw, bw = onnx_weights(""), onnx_weights("_reverse")
    inits = [
        numpy_helper.from_array(torch.stack([fw[0], bw[0]]).numpy(), "W"),
        numpy_helper.from_array(torch.stack([fw[1], bw[1]]).numpy(), "R"),
        numpy_helper.from_array(torch.stack([fw[2], bw[2]]).numpy(), "B"),
    ]
    node = helper.make_node("GRU", ["X", "W", "R", "B", "L"], ["Y"], hidden_size=hidden, direction="bidirectional", linear_before_reset=1)
    graph = helper.make_graph(
        [node],
        "gru",
        [helper.make_tensor_value_info("X", TensorProto.FLOAT, ["t", "b", inputs]), helper.make_tensor_value_info("L", TensorProto.INT32, ["b"])],
        [helper.make_tensor_value_info("Y", TensorProto.FLOAT, ["t", 2, "b", hidden])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    onnx.checker.check_model(model)
    lengths = [5, 2, 3]
    x = torch.randn(max(lengths), len(lengths), inputs)
    (y,) = OnnxEvaluator(model).run(None, {"X": x.numpy(), "L": np.array(lengths, dtype=np.int32)})
    for n, length in enumerate(lengths):
        with torch.no_grad():
            alone = gru(x[:length, n : n + 1])[0][:, 0]  # [t, 2*hidden]
        got = np.concatenate([y[:length, 0, n], y[:length, 1, n]], axis=-1)
        np.testing.assert_allclose(got, alone.numpy(), atol=1e-5)
        assert not y[length:, :, n].any()


def test_unsupported_operator_is_named():
    node = helper.make_node("Einsum", ["A", "A"], ["Y"], equation="ij,jk->ik")
    graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("A", TensorProto.FLOAT, [2, 2])], [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [2, 2])])
    with pytest.raises(UnsupportedOperator, match="Einsum"):
        OnnxEvaluator(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)]))


def test_missing_input_is_reported():
    graph = OnnxEvaluator(export(nn.Linear(2, 2), (torch.zeros(1, 2),), ["x"]))
    with pytest.raises(ValueError, match="missing graph inputs"):
        graph.run(None, {})


def _single_node_graph(op, inputs, outputs, opset=14):
    import onnx
    from onnx import helper

    node = helper.make_node(op, [i[0] for i in inputs], [o[0] for o in outputs])
    graph = helper.make_graph(
        [node], op,
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in inputs],
        [helper.make_tensor_value_info(name, dtype, shape) for name, dtype, shape in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    onnx.checker.check_model(model)
    return model.SerializeToString()


def test_dynamic_quantize_linear_follows_the_onnx_specification_example():
    from onnx import TensorProto

    graph = _single_node_graph("DynamicQuantizeLinear", [("x", TensorProto.FLOAT, [6])],
                               [("y", TensorProto.UINT8, [6]), ("scale", TensorProto.FLOAT, []),
                                ("zero", TensorProto.UINT8, [])])
    x = np.array([0, 2, -3, -2.5, 1.34, 0.5], dtype=np.float32)
    y, scale, zero = OnnxEvaluator(graph).run(["y", "scale", "zero"], {"x": x})
    # the example in the ONNX operator documentation
    assert scale == pytest.approx(0.019607844) and zero == 153
    assert y.tolist() == [153, 255, 0, 26, 221, 179]


def test_matmul_integer_subtracts_the_zero_points_in_int32():
    from onnx import TensorProto

    graph = _single_node_graph("MatMulInteger", [("a", TensorProto.UINT8, [4, 3]), ("b", TensorProto.INT8, [3, 2]),
                                                 ("a_zero", TensorProto.UINT8, []), ("b_zero", TensorProto.INT8, [])],
                               [("y", TensorProto.INT32, [4, 2])])
    a = np.array([[11, 7, 3], [10, 6, 2], [9, 5, 1], [8, 4, 0]], dtype=np.uint8)
    b = np.array([[1, 4], [2, 5], [3, 6]], dtype=np.int8)
    (y,) = OnnxEvaluator(graph).run(["y"], {"a": a, "b": b, "a_zero": np.array(12, dtype=np.uint8),
                                            "b_zero": np.array(0, dtype=np.int8)})
    # the example in the ONNX operator documentation
    assert y.tolist() == [[-38, -83], [-44, -98], [-50, -113], [-56, -128]]


def test_dequantize_linear_scales_around_the_zero_point():
    from onnx import TensorProto

    graph = _single_node_graph("DequantizeLinear", [("x", TensorProto.INT8, [4]), ("scale", TensorProto.FLOAT, []),
                                                    ("zero", TensorProto.INT8, [])], [("y", TensorProto.FLOAT, [4])])
    (y,) = OnnxEvaluator(graph).run(["y"], {"x": np.array([-128, 0, 5, 127], dtype=np.int8),
                                            "scale": np.array(0.5, dtype=np.float32), "zero": np.array(1, dtype=np.int8)})
    assert y.tolist() == [-64.5, -0.5, 2.0, 63.0]


def test_integer_division_is_exact_beyond_two_to_the_53():
    from onnx import TensorProto

    graph = _single_node_graph("Div", [("a", TensorProto.INT64, [2]), ("b", TensorProto.INT64, [2])],
                               [("y", TensorProto.INT64, [2])])
    a = np.array([2**62 + 12345, -(2**61) - 7], dtype=np.int64)
    b = np.array([848797, 3], dtype=np.int64)
    (y,) = OnnxEvaluator(graph).run(["y"], {"a": a, "b": b})
    assert y.tolist() == [(2**62 + 12345) // 848797, -((2**61 + 7) // 3)]  # truncation toward zero
