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
