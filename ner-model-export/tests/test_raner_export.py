"""The exporter end to end: command line, bundle contents, validation failures, exit codes."""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from nerexport.bundle import BundleError, read_bundle_meta, replay_golden
from nerexport.raner import export as export_module
from nerexport.raner.__main__ import main
from nerexport.raner.checkpoint import read_checkpoint
from nerexport.raner.tiny import RANER_NEWS_LABELS, write_tiny_checkpoint

MODULE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_cli(*args):
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1", OMP_NUM_THREADS="1", NEREXPORT_THREADS="1")
    return subprocess.run([sys.executable, "-m", "nerexport.raner", *map(str, args)], cwd=MODULE_ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    ckpt = write_tiny_checkpoint(root / "raner-ckpt", seed=4, layout="head", weights="safetensors", lowercase=False)
    result = run_cli(ckpt, root / "bundle", "--golden", root / "golden.json", "--name", "tiny", "--version", "2.0.0")
    return root, ckpt, result


def test_cli_writes_a_valid_bundle(exported):
    root, ckpt_dir, result = exported
    assert result.returncode == 0, result.stderr
    assert "max |diff|" in result.stdout
    meta = read_bundle_meta(root / "bundle")
    ckpt = read_checkpoint(ckpt_dir)
    assert sorted(os.listdir(root / "bundle")) == ["model.onnx", "ner-model.json", "tokenizer.json"]
    assert meta["name"] == "tiny" and meta["version"] == "2.0.0" and meta["format"] == 1
    assert meta["labels"] == RANER_NEWS_LABELS and meta["scheme"] == "BIOES"
    assert meta["architecture"] == "bert-crf" and meta["normalization"] == "NFKC" and meta["maxWordPieces"] == 128
    np.testing.assert_allclose(meta["crf"]["transitions"], ckpt.crf["transitions"].numpy(), atol=1e-7)
    np.testing.assert_allclose(meta["crf"]["start"], ckpt.crf["start_transitions"].numpy(), atol=1e-7)
    np.testing.assert_allclose(meta["crf"]["end"], ckpt.crf["end_transitions"].numpy(), atol=1e-7)
    provenance = meta["provenance"]
    assert provenance["keyLayout"] == "encoder.*/head.linear.*/head.crf.*"
    assert provenance["weightsSha256"] == hashlib.sha256((ckpt_dir / "model.safetensors").read_bytes()).hexdigest()
    assert provenance["validation"]["onnxVsTorchMaxAbsDiff"] <= 1e-4
    tokenizer_json = json.loads((root / "bundle" / "tokenizer.json").read_text(encoding="utf-8"))
    assert tokenizer_json["normalizer"]["lowercase"] is False  # from tokenizer_config.json
    assert tokenizer_json["model"]["vocab"]["[CLS]"] == 2


def test_golden_file_replays_through_the_exported_graph(exported):
    """What the Java test does, in Python: same ids, graph emissions within atol, same entities."""
    root, _, result = exported
    assert result.returncode == 0, result.stderr
    golden = json.loads((root / "golden.json").read_text(encoding="utf-8"))
    assert golden["bundle"] == "bundle" and golden["atol"] == 1e-4 and len(golden["cases"]) >= 10
    assert replay_golden(root / "golden.json") <= 1e-4


def test_replay_catches_a_golden_file_that_disagrees(exported, tmp_path):
    root, _, result = exported
    assert result.returncode == 0, result.stderr
    golden = json.loads((root / "golden.json").read_text(encoding="utf-8"))
    golden["bundle"] = os.path.relpath(root / "bundle", tmp_path)
    case = next(c for c in golden["cases"] if c["entities"])
    case["emissions"][1][0] += 2e-4
    (tmp_path / "golden.json").write_text(json.dumps(golden, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(BundleError, match="differ"):
        replay_golden(tmp_path / "golden.json")


def test_both_layouts_and_formats_export_the_same_graph(tmp_path):
    flat = write_tiny_checkpoint(tmp_path / "flat", seed=6, layout="flat", weights="bin")
    head = write_tiny_checkpoint(tmp_path / "head", seed=6, layout="head", weights="safetensors")
    quiet = lambda *a, **k: None  # noqa: E731
    a = export_module.export_checkpoint(flat, tmp_path / "a", log=quiet)
    b = export_module.export_checkpoint(head, tmp_path / "b", log=quiet)
    assert a["modelSha256"] == b["modelSha256"]
    assert a["crf"] == b["crf"] and a["labels"] == b["labels"]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d, "does not exist"),
        (lambda d: (d.mkdir(), (d / "notes.txt").write_text("x"), d)[-1], "not a ModelScope RaNER checkpoint"),
        (lambda d: (write_tiny_checkpoint(d), (d / "vocab.txt").unlink(), d)[-1], "missing file vocab.txt"),
    ],
)
def test_cli_errors_exit_3_with_a_clear_message(tmp_path, make, message):
    bad = make(tmp_path / "ckpt")
    result = run_cli(bad, tmp_path / "out")
    assert result.returncode == 3
    assert message in result.stderr and result.stderr.startswith("error: ")
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_usage_error_exits_2(tmp_path):
    result = run_cli(tmp_path)
    assert result.returncode == 2 and "usage:" in result.stderr


def test_values_beyond_tolerance_fail_the_export(tmp_path, monkeypatch, capsys):
    """A graph that drifts from the reference by more than 1e-4 is refused (exit 4), nothing written."""
    ckpt = write_tiny_checkpoint(tmp_path / "c", seed=1)
    real_export = export_module.export_onnx

    def drifting_export(model, max_positions):
        import torch

        with torch.no_grad():
            model.linear.bias += 1e-3  # the graph now differs from the reference model
        try:
            return real_export(model, max_positions)
        finally:
            with torch.no_grad():
                model.linear.bias -= 1e-3

    monkeypatch.setattr(export_module, "export_onnx", drifting_export)
    assert main([str(ckpt), str(tmp_path / "out"), "--threads", "1"]) == 4
    assert "emissions differ from the reference" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_a_graph_with_the_wrong_interface_fails_validation(tmp_path, monkeypatch):
    import io

    import torch

    def static_export(model, max_positions):
        buffer = io.BytesIO()
        ids = torch.ones((1, 6), dtype=torch.int64)
        torch.onnx.export(model, (ids, torch.ones_like(ids)), buffer, input_names=["input_ids", "attention_mask"], output_names=["emissions"], opset_version=14)
        return buffer.getvalue()

    monkeypatch.setattr(export_module, "export_onnx", static_export)
    with pytest.raises(BundleError, match="dynamic"):
        export_module.export_checkpoint(write_tiny_checkpoint(tmp_path / "c"), tmp_path / "out", log=lambda *a: None)
