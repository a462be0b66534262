"""Tests of nerexport.combine: two bundles' graphs in one, emissions and CRF weighted; evaluated with the
NumPy evaluator on tiny graphs (a compact BiGRU and a BERT exported by the RaNER exporter's code path)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from nerexport.combine import combine_crf, combine_graphs
from nerexport.compact.model import CompactTagger
from nerexport.compact.onnx_graph import build_onnx, run_graph
from nerexport.raner.bert import BertConfig, RanerEmissionModel
from nerexport.raner.export import export_onnx
from nerexport.training import data as D
from nerexport.tokenization import pad_rows


def tiny_graphs():
    torch.manual_seed(0)
    compact = CompactTagger(60, len(D.LABELS), char_dim=6, bigram_dim=0, hidden=4).eval()
    cfg = BertConfig(vocab_size=60, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                     intermediate_size=32, max_position_embeddings=32)
    bert = RanerEmissionModel(cfg, len(D.LABELS)).eval()
    with torch.no_grad():
        for p in list(compact.parameters()) + list(bert.parameters()):
            p.normal_(0, 0.5)
    return build_onnx(compact), export_onnx(bert, 32)


@pytest.mark.parametrize("weight", [0.0, 0.35, 1.0])
def test_the_combined_graph_gives_the_weighted_sum_of_both_emissions(weight):
    first, second = tiny_graphs()
    combined = combine_graphs(first, second, weight)
    rows = [[2, 10, 20, 30, 3], [2, 40, 3], [2, 5, 6, 7, 8, 9, 11, 3]]
    ids, mask = (np.asarray(x, dtype=np.int64) for x in pad_rows(rows, 0))
    expected = weight * run_graph(first, ids, mask) + (1 - weight) * run_graph(second, ids, mask)
    got = run_graph(combined, ids, mask)
    real = mask.astype(bool)
    np.testing.assert_allclose(got[real], expected[real], atol=1e-5)


def test_the_crfs_are_weighted_alike():
    a = {"start": [1.0, 0.0], "end": [0.0, 2.0], "transitions": [[1.0, 0.0], [0.0, 1.0]]}
    b = {"start": [0.0, 1.0], "end": [1.0, 0.0], "transitions": [[0.0, 2.0], [2.0, 0.0]]}
    c = combine_crf(a, b, 0.25)
    assert c["start"] == [0.25, 0.75] and c["end"] == [0.75, 0.5]
    assert c["transitions"] == [[0.25, 1.5], [1.5, 0.25]]
