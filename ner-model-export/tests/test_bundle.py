"""Bundle writing, metadata and ONNX interface checks, padding invariance, golden files."""

import hashlib
import io
import json

import numpy as np
import pytest
import torch
from torch import nn

from nerexport.bundle import (
    BundleError,
    check_onnx_interface,
    check_padding_invariance,
    compare_emissions,
    golden_case,
    read_bundle_meta,
    validate_meta,
    write_bundle,
    write_golden,
)
from nerexport.tokenization import BertWordPieceTokenizer

LABELS = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-LOC", "I-LOC", "E-LOC", "S-LOC"]


class MaskedContextModel(nn.Module):
    """Embedding, then each position adds the mask-weighted mean of the row: padding-invariant."""

    def __init__(self, vocab=600, dim=8, labels=len(LABELS), leak_padding=False):
        super().__init__()
        torch.manual_seed(0)
        self.emb = nn.Embedding(vocab, dim)
        self.out = nn.Linear(dim, labels)
        self.leak_padding = leak_padding

    def forward(self, input_ids, attention_mask):
        x = self.emb(input_ids)
        mask = attention_mask.to(torch.float32).unsqueeze(-1)
        if self.leak_padding:
            mask = torch.ones_like(mask)  # averages over [PAD] too: emissions depend on padding
        context = (x * mask).sum(1, keepdim=True) / mask.sum(1, keepdim=True)
        return self.out(x + context)


def export(model, dynamic=True, output_name="emissions", input_names=("input_ids", "attention_mask")):
    ids = torch.ones((2, 5), dtype=torch.int64)
    buffer = io.BytesIO()
    axes = {n: {0: "batch", 1: "sequence"} for n in (*input_names, output_name)} if dynamic else None
    torch.onnx.export(model, (ids, torch.ones_like(ids)), buffer, input_names=list(input_names), output_names=[output_name], dynamic_axes=axes, opset_version=14)
    return buffer.getvalue()


def torch_run(model):
    def run(ids, mask):
        with torch.no_grad():
            return model(torch.as_tensor(ids), torch.as_tensor(mask)).numpy()

    return run


def meta(**overrides):
    n = len(LABELS)
    base = {
        "name": "test-model",
        "version": "0.0.1",
        "description": "test",
        "architecture": "test",
        "labels": list(LABELS),
        "scheme": "BIOES",
        "crf": {"start": [0.0] * n, "end": [0.0] * n, "transitions": [[0.0] * n for _ in range(n)]},
        "maxWordPieces": 64,
        "normalization": "NFKC",
        "provenance": {},
        "evaluation": {},
    }
    base.update(overrides)
    return base


@pytest.fixture(scope="module")
def model_bytes():
    return export(MaskedContextModel())


def test_write_bundle_writes_three_files_with_format_and_sha(tmp_path, small_vocab_path, model_bytes):
    written = write_bundle(tmp_path / "b", model_bytes, small_vocab_path, True, meta())
    files = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert files == ["model.onnx", "ner-model.json", "tokenizer.json"]
    on_disk = json.loads((tmp_path / "b" / "ner-model.json").read_text(encoding="utf-8"))
    assert on_disk == written
    assert on_disk["format"] == 1 and list(on_disk)[0] == "format"
    assert on_disk["modelSha256"] == hashlib.sha256(model_bytes).hexdigest()
    assert json.loads((tmp_path / "b" / "tokenizer.json").read_text())["normalizer"]["lowercase"] is True
    assert read_bundle_meta(tmp_path / "b")["labels"] == LABELS


def test_read_bundle_meta_refuses_a_changed_model(tmp_path, small_vocab_path, model_bytes):
    write_bundle(tmp_path, model_bytes, small_vocab_path, True, meta())
    (tmp_path / "model.onnx").write_bytes(model_bytes + b"\0")
    with pytest.raises(BundleError, match="sha256"):
        read_bundle_meta(tmp_path)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"labels": ["B-PER", "S-PER"]}, "lack 'O'"),
        ({"labels": ["O", "X-PER"]}, "neither"),
        ({"labels": ["O", "O"]}, "repeat"),
        ({"scheme": "BIO"}, "BIO but"),
        ({"scheme": "IOB2"}, "BIOES or BIO"),
        ({"crf": {"start": [0.0], "end": [0.0], "transitions": [[0.0]]}}, "CRF shapes"),
        ({"format": 2}, "format must be 1"),
        ({"normalization": "NFC"}, "normalization"),
        ({"maxWordPieces": 2}, "maxWordPieces"),
    ],
)
def test_validate_meta_rejects_contract_violations(overrides, message):
    with pytest.raises(BundleError, match=message):
        validate_meta(meta(**overrides))


def test_validate_meta_rejects_a_missing_key_and_non_finite_crf():
    bad = meta()
    del bad["labels"]
    with pytest.raises(BundleError, match="lacks 'labels'"):
        validate_meta(bad)
    crf = meta()["crf"]
    crf["start"][0] = float("nan")
    with pytest.raises(BundleError, match="non-finite"):
        validate_meta(meta(crf=crf))


def test_nothing_is_written_when_a_check_fails(tmp_path, small_vocab_path, model_bytes):
    with pytest.raises(BundleError):
        write_bundle(tmp_path / "b", model_bytes, small_vocab_path, True, meta(labels=LABELS[:-1]))
    assert not (tmp_path / "b").exists()


def test_interface_accepts_the_contract_graph(model_bytes):
    check_onnx_interface(model_bytes, len(LABELS))
    with pytest.raises(BundleError, match=r"\[batch, sequence, 5\]"):
        check_onnx_interface(model_bytes, 5)


def test_interface_rejects_wrong_output_name():
    with pytest.raises(BundleError, match="emissions"):
        check_onnx_interface(export(MaskedContextModel(), output_name="logits"), len(LABELS))


def test_interface_rejects_static_axes():
    with pytest.raises(BundleError, match="dynamic"):
        check_onnx_interface(export(MaskedContextModel(), dynamic=False), len(LABELS))


def test_interface_rejects_a_graph_that_dropped_the_unused_attention_mask():
    class IgnoresMask(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(10, len(LABELS))

        def forward(self, input_ids, attention_mask):
            return self.emb(input_ids)

    with pytest.raises(BundleError, match="attention_mask"):
        check_onnx_interface(export(IgnoresMask()), len(LABELS))


def test_interface_rejects_bytes_that_are_not_onnx():
    with pytest.raises(Exception):
        check_onnx_interface(b"not a model", len(LABELS))


ROWS = [[2, 40, 41, 42, 3], [2, 50, 3], [2, 60, 61, 62, 63, 64, 65, 3]]


def test_padding_invariance_holds_for_a_masked_model():
    assert check_padding_invariance(torch_run(MaskedContextModel()), ROWS, pad_id=0) < 1e-5


def test_padding_invariance_catches_a_model_that_reads_padding():
    with pytest.raises(BundleError, match="not padding-invariant"):
        check_padding_invariance(torch_run(MaskedContextModel(leak_padding=True)), ROWS, pad_id=0)


def test_compare_emissions_reports_shape_and_value_differences():
    a = np.zeros((2, 3), dtype=np.float32)
    assert compare_emissions(a, a + 5e-5) == pytest.approx(5e-5)
    with pytest.raises(BundleError, match="differ"):
        compare_emissions(a, a + 2e-4)
    with pytest.raises(BundleError, match="shape"):
        compare_emissions(a, np.zeros((3, 2)))


def test_golden_case_and_file(tmp_path, small_vocab_path):
    tokenizer = BertWordPieceTokenizer(small_vocab_path, lowercase=True)
    model = MaskedContextModel()
    m = meta()
    m["crf"]["start"][0] = 0.5
    case = golden_case("张三在 北京 iPhone15", tokenizer, torch_run(model), m)
    assert case["input_ids"][0] == tokenizer.cls_id and case["input_ids"][-1] == tokenizer.sep_id
    assert len(case["emissions"]) == len(case["input_ids"]) and len(case["emissions"][0]) == len(LABELS)
    for e in case["entities"]:
        assert case["text"][e["start"] : e["end"]] == e["span"]
    empty = golden_case("   ", tokenizer, torch_run(model), m)
    assert empty["input_ids"] == [tokenizer.cls_id, tokenizer.sep_id] and empty["entities"] == []

    golden = write_golden(tmp_path / "golden.json", "my-bundle", [case, empty])
    on_disk = json.loads((tmp_path / "golden.json").read_text(encoding="utf-8"))
    assert on_disk == golden
    assert on_disk["bundle"] == "my-bundle" and on_disk["atol"] == 1e-4
    assert set(on_disk["cases"][0]) == {"text", "input_ids", "emissions", "entities"}
    assert np.max(np.abs(np.array(on_disk["cases"][0]["emissions"]) - np.array(case["emissions"]))) < 1e-6


def test_write_golden_refuses_inconsistent_cases(tmp_path):
    good = {"text": "ab", "input_ids": [1, 2], "emissions": [[0.0], [0.0]], "entities": []}
    with pytest.raises(BundleError, match="does not match"):
        write_golden(tmp_path / "g.json", "b", [dict(good, emissions=[[0.0]])])
    bad_span = dict(good, entities=[{"type": "PER", "start": 0, "end": 1, "span": "b", "prob": 0.5}])
    with pytest.raises(BundleError, match="span"):
        write_golden(tmp_path / "g.json", "b", [bad_span])
