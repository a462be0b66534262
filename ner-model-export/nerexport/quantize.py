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


# More plain sentences for an int8 golden file, whose wider tolerance keeps only cases with clear decisions.
EXTRA_GOLDEN_TEXTS = [
    "国家主席在人民大会堂会见了来访的法国总统。",
    "张伟和李娜昨天从广州飞往成都参加会议。",
    "清华大学与北京大学联合发布了研究报告。",
    "记者从上海市教育委员会获悉，新学期将于九月开始。",
    "王芳毕业于复旦大学，现任华为技术有限公司工程师。",
    "联合国秘书长在纽约总部发表讲话。",
    "刘洋在南京参观了中山陵。",
    "中国科学院院士陈明出席了在西安举行的论坛。",
]


def quantize(model_path: Path, out_path: Path, embeddings: bool, per_channel: bool = False) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    op_types = ["MatMul", "Gather"] if embeddings else ["MatMul"]
    quantize_dynamic(str(model_path), str(out_path), weight_type=QuantType.QInt8, op_types_to_quantize=op_types,
                     per_channel=per_channel, reduce_range=False)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.quantize", description=__doc__.split("\n\n")[0])
    p.add_argument("--bundle", required=True, help="the fp32 bundle")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--golden")
    p.add_argument("--golden-atol", type=float, default=0.5, help="emission tolerance of the golden file")
    p.add_argument("--golden-margin", type=float, default=0.1,
                   help="golden cases need a Viterbi margin above 2 x words x this")
    p.add_argument("--max-drop", type=float, default=0.003, help="largest mean dev F1 drop accepted")
    p.add_argument("--no-embeddings", action="store_true", help="leave the embedding table in fp32")
    p.add_argument("--per-channel", action="store_true", help="one weight scale per output column, not per tensor")
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
        quantize(source / B.MODEL_FILE, out_graph, embeddings=not a.no_embeddings, per_channel=a.per_channel)
        graph = out_graph.read_bytes()
    fp32 = BundleEmissions(source, "ort", a.threads)
    base, _ = loop.evaluate_sets(fp32, fp32.crf, tokenizer, corpora.dev, max_tokens=8192)
    loop.log(f"fp32 {meta['name']}: dev {M.format_sets(base)}")
    staging = Path(tempfile.mkdtemp())
    derived = {k: v for k, v in meta.items() if k not in ("modelSha256", "format")}
    derived["name"] = meta["name"] + a.name_suffix
    derived["description"] = (meta["description"] + " Its matrix products' weights quantised to int8 per "
                              + ("output column" if a.per_channel else "tensor")
                              + (", the embedding table too" if not a.no_embeddings else ", the embeddings kept in fp32")
                              + " (ONNX Runtime dynamic quantisation).")
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
        "method": "onnxruntime.quantization.quantize_dynamic, QInt8 weights, "
                  + ("per-channel, " if a.per_channel else "per-tensor, ")
                  + ("MatMul and Gather" if not a.no_embeddings else "MatMul"),
        "recipe": "python -m nerexport.quantize " + " ".join(argv if argv is not None else sys.argv[1:]),
    })
    written = B.write_derived_bundle(a.out, graph, source, derived)
    loop.log(f"int8 bundle written to {a.out} (model.onnx {len(graph)} bytes, fp32 {(source / B.MODEL_FILE).stat().st_size})")
    if a.golden:
        from nerexport.raner.export import VALIDATION_TEXTS
        from nerexport.raner.golden_fixture import case_margins

        final = BundleEmissions(a.out, "ort", a.threads)
        cases = [B.golden_case(t, tokenizer, final, written) for t in VALIDATION_TEXTS + EXTRA_GOLDEN_TEXTS]
        # An activation's int8 scale is computed per call, so one float rounding apart (ONNX Runtime for Java
        # 1.23 against Python's 1.32, the NumPy evaluator) moves values by quantisation steps: emissions agree
        # only to about 0.3. The file's atol says so; its cases are those with clear decisions (a Viterbi
        # margin above ``2 x words x margin-per-word``), whose entities every runtime must reproduce exactly.
        margins = case_margins(cases, tokenizer, written)
        kept = [c for c, (_, words, margin) in zip(cases, margins) if margin > 2 * words * a.golden_margin]
        if len(kept) < 5:
            print(f"only {len(kept)} golden cases have a Viterbi margin above 2 x words x {a.golden_margin}",
                  file=sys.stderr)
            return 6
        B.write_golden(a.golden, os.path.relpath(Path(a.out).resolve(), Path(a.golden).resolve().parent), kept,
                       atol=a.golden_atol)
        loop.log(f"golden file {a.golden}: {len(kept)} of {len(cases)} cases (the others' Viterbi margins are "
                 f"below 2 x words x {a.golden_margin}), emission tolerance {a.golden_atol}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
