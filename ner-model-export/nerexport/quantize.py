"""An int8 variant of a bundle: ONNX Runtime's dynamic quantisation of the graph's MatMul weights (and the
embedding table), scored on the four dev sets against the bundle it came from. Kept only where strict F1
drops by at most ``--max-drop`` on every set's mean (issue #16 asks 0.003):

    /opt/nerexport-venv/bin/python -m nerexport.quantize --bundle <fp32 bundle> --data ../../shared/data \\
        --out <int8 bundle> [--golden <golden.json>]

The quantised graph uses standard ONNX operators only (DynamicQuantizeLinear, MatMulInteger,
DequantizeLinear), which ner-api's ONNX Runtime runs and nerexport's NumPy evaluator checks.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from nerexport import bundle as B
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M


def quantize(model_path: Path, out_path: Path, embeddings: bool) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    op_types = ["MatMul", "Gather"] if embeddings else ["MatMul"]
    quantize_dynamic(str(model_path), str(out_path), weight_type=QuantType.QInt8, op_types_to_quantize=op_types,
                     per_channel=False, reduce_range=False)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.quantize", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True, help="the fp32 bundle")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--golden")
    p.add_argument("--max-drop", type=float, default=0.003, help="largest mean dev F1 drop accepted")
    p.add_argument("--no-embeddings", action="store_true", help="leave the embedding table in fp32")
    p.add_argument("--name-suffix", default="-int8", help="the variant is its own bundle, served beside the fp32 one")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    from nerexport.evaluate import BundleEmissions

    source = Path(a.bundle)
    meta = B.read_bundle_meta(source)
    tokenizer = BundleEmissions.tokenizer_of(source)
    corpora = D.load_corpora(a.data, {n: 1.0 for n in D.DATASETS})
    with tempfile.TemporaryDirectory() as tmp:
        out_graph = Path(tmp) / "model.int8.onnx"
        quantize(source / B.MODEL_FILE, out_graph, embeddings=not a.no_embeddings)
        graph = out_graph.read_bytes()
    fp32 = BundleEmissions(source, "ort", a.threads)
    base, _ = loop.evaluate_sets(fp32, fp32.crf, tokenizer, corpora.dev, max_tokens=8192)
    loop.log(f"fp32 {meta['name']}: dev {M.format_sets(base)}")
    staging = Path(tempfile.mkdtemp())
    derived = {k: v for k, v in meta.items() if k not in ("modelSha256", "format")}
    derived["name"] = meta["name"] + a.name_suffix
    derived["description"] = meta["description"] + " Weights quantised to int8 (ONNX Runtime dynamic quantisation)."
    B.write_derived_bundle(staging, graph, source, derived)
    int8 = BundleEmissions(staging, "ort", a.threads)
    scores, predicted = loop.evaluate_sets(int8, int8.crf, tokenizer, corpora.dev, max_tokens=8192)
    drop = round(M.mean_f1(base) - M.mean_f1(scores), 4)
    loop.log(f"int8: dev {M.format_sets(scores)}; mean F1 drop {drop:+.4f} (limit {a.max_drop})")
    if drop > a.max_drop:
        print(f"int8 loses {drop:.4f} mean F1 (more than {a.max_drop}): not written", file=sys.stderr)
        return 5
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    exposure = {n: M.recall_by_exposure(all_train, corpora.dev[n], predicted[n]) for n in corpora.dev}
    evaluation = M.evaluation_record(scores, exposure, {n: D.dev_split_description(n) for n in scores})
    evaluation["fp32MeanF1"] = M.mean_f1(base)
    evaluation["int8MeanF1Drop"] = drop
    derived["evaluation"] = dict(meta.get("evaluation", {}), **evaluation)
    derived["provenance"] = dict(meta.get("provenance", {}), quantization={
        "from": {"version": meta["version"], "modelSha256": meta["modelSha256"]},
        "method": "onnxruntime.quantization.quantize_dynamic, QInt8 weights, per-tensor, "
                  + ("MatMul and Gather" if not a.no_embeddings else "MatMul"),
        "recipe": "python -m nerexport.quantize " + " ".join(argv if argv is not None else sys.argv[1:]),
    })
    written = B.write_derived_bundle(a.out, graph, source, derived)
    loop.log(f"int8 bundle written to {a.out} (model.onnx {len(graph)} bytes, fp32 {(source / B.MODEL_FILE).stat().st_size})")
    if a.golden:
        from nerexport.raner.export import VALIDATION_TEXTS

        final = BundleEmissions(a.out, "ort", a.threads)
        cases = [B.golden_case(t, tokenizer, final, written) for t in VALIDATION_TEXTS]
        B.write_golden(a.golden, os.path.relpath(Path(a.out).resolve(), Path(a.golden).resolve().parent), cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
