"""RaNER checkpoint -> model bundle: build the PyTorch reference, export encoder + emission layer to ONNX,
validate, write the bundle and (optionally) a golden file.

Validation, modelled on optimum's ``_run_validation``:
1. the PyTorch reference is padding-invariant (each row alone == the same row in a padded batch);
2. onnx.checker accepts the graph and its interface is the contract's (names, int64/float32, dynamic
   batch and sequence axes, ``labels`` wide);
3. the exported graph, evaluated in Python by :mod:`nerexport.onnx_eval` on the same inputs (a padded
   batch of real sentences and random ids), gives the reference's output shape and values within 1e-4,
   and is padding-invariant itself. The largest difference is printed; any failure aborts the export.
The golden file then lets ner-api replay the same rows through Java ONNX Runtime and the Java decoder.
"""

from __future__ import annotations

import io
import os
import platform
from pathlib import Path
from typing import Callable, List, Optional, Sequence

import numpy as np
import torch

from nerexport import bundle as bundle_lib
from nerexport.onnx_eval import OnnxEvaluator
from nerexport.raner.bert import RanerEmissionModel
from nerexport.raner.checkpoint import RanerCheckpoint, read_checkpoint
from nerexport.tokenization import BertWordPieceTokenizer, build_single_window, pad_rows

OPSET = 14
EXPORTER = "nerexport.raner"

# Sentences that exercise the tokenizer's paths; used for validation rows and the default golden cases.
VALIDATION_TEXTS = [
    "习近平在北京会见了美国总统。",
    "阿里巴巴集团总部位于杭州市，马云是创始人。",
    "Apple CEO 在 New York 发布了 iPhone15。",
    "2024年3月10日，王小明到上海人民广场。",
    "深圳腾讯公司与香港大学合作",
    "全角：ＡＢＣ　２０２４年，ＣＥＯ张华。",
    "表情😀在北京，生僻字𠮷野家在东京。",
    "  多个   空格\t和\n换行  李强 ",
    "中国人民银行发布通知",
    "Mr 李 and cafe 在 江苏 南京",
    "他说：“我们在武汉大学医院工作。”",
    "孙中山先生",
]


def build_reference(ckpt: RanerCheckpoint) -> RanerEmissionModel:
    """The PyTorch reference model, in eval mode, with the checkpoint's weights."""
    model = RanerEmissionModel(ckpt.config, len(ckpt.labels))
    model.load_raner_state(ckpt.encoder_state, ckpt.linear_state)
    model.eval()
    return model


def torch_emissions(model: torch.nn.Module) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    """The reference as a bundle emissions function (numpy in, numpy out)."""

    def run(input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            out = model(torch.as_tensor(np.asarray(input_ids, dtype=np.int64)), torch.as_tensor(np.asarray(attention_mask, dtype=np.int64)))
        return out.numpy()

    return run


def export_onnx(model: torch.nn.Module, max_positions: int) -> bytes:
    """torch.onnx.export of encoder + emission layer; inputs input_ids/attention_mask, output emissions."""
    sample_ids = torch.ones((2, min(8, max_positions)), dtype=torch.int64)
    sample_mask = torch.ones_like(sample_ids)
    sample_mask[1, -3:] = 0
    buffer = io.BytesIO()
    with torch.no_grad():
        torch.onnx.export(
            model,
            (sample_ids, sample_mask),
            buffer,
            input_names=["input_ids", "attention_mask"],
            output_names=["emissions"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "sequence"},
                "attention_mask": {0: "batch", 1: "sequence"},
                "emissions": {0: "batch", 1: "sequence"},
            },
            opset_version=OPSET,
            do_constant_folding=True,
        )
    return buffer.getvalue()


def validation_rows(tokenizer: BertWordPieceTokenizer, max_word_pieces: int, vocab_size: int, seed: int = 0) -> List[List[int]]:
    """Rows of different lengths: real sentences as single windows, plus random ids (incl. [UNK])."""
    rows = []
    for text in VALIDATION_TEXTS:
        words = tokenizer.encode_words(text)
        try:
            rows.append(build_single_window(words, tokenizer.cls_id, tokenizer.sep_id, max_word_pieces).input_ids)
        except ValueError:
            continue
    rng = np.random.default_rng(seed)
    for length in (3, min(40, max_word_pieces)):
        body = rng.integers(0, vocab_size, size=length - 2).tolist()
        rows.append([tokenizer.cls_id] + body + [tokenizer.sep_id])
    return rows


def validate_export(model_bytes: bytes, reference, rows: Sequence[Sequence[int]], pad_id: int, num_labels: int, log=print) -> dict:
    """Steps 2 and 3 of the module docstring; returns the figures measured. Raises BundleError."""
    bundle_lib.check_onnx_interface(model_bytes, num_labels)
    graph = OnnxEvaluator(model_bytes)
    ids, mask = pad_rows(rows, pad_id, max(len(r) for r in rows) + 4)
    ids, mask = np.asarray(ids, dtype=np.int64), np.asarray(mask, dtype=np.int64)
    expected = reference(ids, mask)
    (got,) = graph.run(["emissions"], {"input_ids": ids, "attention_mask": mask})
    if got.dtype != np.float32:
        raise bundle_lib.BundleError(f"the graph's emissions are {got.dtype}, not float32")
    # Only real positions are compared: padded positions are ignored by the contract.
    real = mask.astype(bool)
    diff = bundle_lib.compare_emissions(expected[real], got[real])
    log(f"  ONNX vs PyTorch on {len(rows)} rows, {int(real.sum())} positions: max |diff| = {diff:.3g} (tolerance {bundle_lib.GOLDEN_ATOL})")
    graph_padding = bundle_lib.check_padding_invariance(lambda i, m: graph.run(["emissions"], {"input_ids": i, "attention_mask": m})[0], rows[:4], pad_id)
    log(f"  ONNX padding invariance: max |diff| = {graph_padding:.3g}")
    return {"onnxVsTorchMaxAbsDiff": diff, "onnxPaddingMaxAbsDiff": graph_padding, "validationRows": len(rows)}


def export_checkpoint(
    checkpoint_dir,
    out_dir,
    golden_path: Optional[os.PathLike] = None,
    name: Optional[str] = None,
    version: str = "1.0.0",
    golden_texts: Sequence[str] = VALIDATION_TEXTS,
    log=print,
    description: Optional[str] = None,
    evaluation: Optional[dict] = None,
    provenance: Optional[dict] = None,
) -> dict:
    """Reads, exports, validates and writes a bundle (and golden file). Returns the written metadata.
    ``description``, ``evaluation`` and ``provenance`` (merged into the exporter's own) come from a recipe
    that trained the checkpoint; without them the bundle says it was not evaluated here."""
    ckpt = read_checkpoint(checkpoint_dir)
    log(f"checkpoint {ckpt.directory}: layout {ckpt.layout}, {len(ckpt.labels)} labels from {ckpt.label_source}, "
        f"lowercase={ckpt.lowercase} ({ckpt.lowercase_source}), weights {ckpt.weights_path.name}")
    for warning in ckpt.warnings:
        log(f"  warning: {warning}; exporting because the weights have RaNER's layout")
    model = build_reference(ckpt)
    reference = torch_emissions(model)
    tokenizer = BertWordPieceTokenizer(ckpt.vocab_path, ckpt.lowercase, "NFKC")
    max_word_pieces = min(512, ckpt.config.max_position_embeddings)
    rows = validation_rows(tokenizer, max_word_pieces, ckpt.config.vocab_size)

    torch_padding = bundle_lib.check_padding_invariance(reference, rows[:4], tokenizer.pad_id)
    log(f"  PyTorch padding invariance: max |diff| = {torch_padding:.3g}")
    model_bytes = export_onnx(model, ckpt.config.max_position_embeddings)
    figures = validate_export(model_bytes, reference, rows, tokenizer.pad_id, len(ckpt.labels), log)
    figures["torchPaddingMaxAbsDiff"] = torch_padding

    scheme = "BIOES" if any(l[:2] in ("E-", "S-") for l in ckpt.labels) else "BIO"
    import onnx

    meta = {
        "name": name or ckpt.directory.resolve().name,
        "version": version,
        "description": description or f"ModelScope RaNER (BERT-CRF) exported from {ckpt.directory.resolve().name} by {EXPORTER}",
        "architecture": "bert-crf",
        "labels": list(ckpt.labels),
        "scheme": scheme,
        "crf": bundle_lib.crf_to_json(ckpt.crf["start_transitions"], ckpt.crf["end_transitions"], ckpt.crf["transitions"]),
        "maxWordPieces": max_word_pieces,
        "normalization": "NFKC",
        "provenance": {
            "source": "ModelScope RaNER checkpoint",
            "checkpoint": ckpt.directory.resolve().name,
            "weightsFile": ckpt.weights_path.name,
            "weightsSha256": ckpt.weights_sha256(),
            "keyLayout": ckpt.layout,
            "modelType": ckpt.configuration.get("model", {}).get("type") if isinstance(ckpt.configuration.get("model"), dict) else None,
            "labelSource": ckpt.label_source,
            "lowercase": ckpt.lowercase,
            "lowercaseSource": ckpt.lowercase_source,
            "encoder": ckpt.config.to_json(),
            "exporter": EXPORTER,
            "opset": OPSET,
            "torch": torch.__version__,
            "onnx": onnx.__version__,
            "python": platform.python_version(),
            "validation": figures,
        },
        "evaluation": evaluation or {"note": "not evaluated by the exporter; see the checkpoint's own model card"},
    }
    if provenance:
        meta["provenance"] = dict(provenance, export=meta["provenance"])
    written = bundle_lib.write_bundle(out_dir, model_bytes, ckpt.vocab_path, ckpt.lowercase, meta)
    log(f"bundle written to {out_dir} (model.onnx sha256 {written['modelSha256'][:12]}...)")
    if golden_path is not None:
        cases = [bundle_lib.golden_case(t, tokenizer, reference, written) for t in golden_texts]
        golden_path = Path(golden_path)
        bundle_name = os.path.relpath(Path(out_dir).resolve(), golden_path.resolve().parent)
        bundle_lib.write_golden(golden_path, bundle_name, cases)
        log(f"golden file written to {golden_path}: {len(cases)} cases, {sum(len(c['entities']) for c in cases)} entities")
    return written
