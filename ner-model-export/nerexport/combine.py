"""Two bundles in one graph: the weighted sum of their emissions and of their CRFs (a product of experts),
for candidate (d) of the model recipe (MODEL_CARD.md): e.g. the BERT-CRF and the compact BiGRU-CRF with its
dictionary features, each strong where the other is weak.

    /opt/nerexport-venv/bin/python -m nerexport.combine --first <bundle A> --second <bundle B> \\
        --data ../../shared/data --out <bundle dir> [--weight W | --search 0.3,0.4,0.5,0.6,0.7] [--golden ...]

``--search`` scores each weight of A on the four dev sets (ONNX Runtime) and keeps the best mean F1. Both
bundles must have the same labels, tokenizer and normalisation; the combined graph takes ``input_ids`` and
``attention_mask`` like any bundle, so ner-api serves it unchanged.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, compose, helper, numpy_helper

from nerexport import bundle as B
from nerexport.tokenization import BertWordPieceTokenizer
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M

OPSET = 14


def combine_graphs(first: bytes, second: bytes, weight: float) -> bytes:
    """``emissions = weight * first + (1 - weight) * second`` as one ONNX graph."""
    models = []
    for prefix, raw in (("a_", first), ("b_", second)):
        model = onnx.load_from_string(raw)
        models.append(compose.add_prefix(model, prefix, rename_inputs=True, rename_outputs=True, rename_initializers=True,
                                         rename_value_infos=True, rename_functions=True))
    nodes, inits = [], []
    for prefix, model in zip(("a_", "b_"), models):
        graph_inputs = {i.name for i in model.graph.input}
        for name in ("input_ids", "attention_mask"):
            if prefix + name in graph_inputs:
                nodes.append(helper.make_node("Identity", [name], [prefix + name]))
        nodes.extend(model.graph.node)
        inits.extend(model.graph.initializer)
    inits += [numpy_helper.from_array(np.array(weight, dtype=np.float32), "weight_a"),
              numpy_helper.from_array(np.array(1.0 - weight, dtype=np.float32), "weight_b")]
    nodes += [helper.make_node("Mul", ["a_emissions", "weight_a"], ["a_weighted"]),
              helper.make_node("Mul", ["b_emissions", "weight_b"], ["b_weighted"]),
              helper.make_node("Add", ["a_weighted", "b_weighted"], ["emissions"])]
    labels = models[0].graph.output[0].type.tensor_type.shape.dim[2].dim_value
    graph = helper.make_graph(
        nodes, "combined",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("emissions", TensorProto.FLOAT, ["batch", "sequence", labels])],
        inits)
    opsets = {}
    for model in models:
        for opset in model.opset_import:
            opsets[opset.domain] = max(opsets.get(opset.domain, 0), opset.version)
    opsets[""] = max(opsets.get("", 0), OPSET)
    combined = helper.make_model(graph, producer_name="nerexport.combine",
                                 opset_imports=[helper.make_opsetid(d, v) for d, v in opsets.items()])
    combined.ir_version = 8
    onnx.checker.check_model(combined)
    return combined.SerializeToString()


def combine_crf(first: dict, second: dict, weight: float) -> dict:
    return {k: (weight * np.asarray(first[k]) + (1 - weight) * np.asarray(second[k])).tolist()
            for k in ("start", "end", "transitions")}


def check_compatible(a: dict, b: dict, a_dir: Path, b_dir: Path) -> None:
    for key in ("labels", "scheme", "normalization"):
        if a[key] != b[key]:
            raise SystemExit(f"the bundles differ in {key}: {a[key]} / {b[key]}")
    if json.loads((a_dir / B.TOKENIZER_FILE).read_text("utf-8")) != json.loads((b_dir / B.TOKENIZER_FILE).read_text("utf-8")):
        raise SystemExit("the bundles' tokenizer.json differ")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.combine", description=__doc__.split("\n\n")[0])
    p.add_argument("--first", required=True)
    p.add_argument("--second", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--name", default="raner-combined-zh")
    p.add_argument("--version", default="1.0.0")
    p.add_argument("--weight", type=float, help="weight of the first bundle's emissions and CRF")
    p.add_argument("--search", default="0.3,0.4,0.5,0.6,0.7", help="weights to score on dev when --weight is not given")
    p.add_argument("--golden")
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args(argv)
    from nerexport.evaluate import BundleEmissions

    a_dir, b_dir = Path(a.first), Path(a.second)
    meta_a, meta_b = B.read_bundle_meta(a_dir), B.read_bundle_meta(b_dir)
    check_compatible(meta_a, meta_b, a_dir, b_dir)
    first, second = (a_dir / B.MODEL_FILE).read_bytes(), (b_dir / B.MODEL_FILE).read_bytes()
    tokenizer = BertWordPieceTokenizer(vocab=json.loads((a_dir / B.TOKENIZER_FILE).read_text("utf-8"))["model"]["vocab"],
                                       lowercase=True)
    corpora = D.load_corpora(a.data, {n: 1.0 for n in D.DATASETS})
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = a.threads
    weights = [a.weight] if a.weight is not None else [float(w) for w in a.search.split(",")]
    results = []
    for weight in weights:
        graph = combine_graphs(first, second, weight)
        session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        crf = combine_crf(meta_a["crf"], meta_b["crf"], weight)
        crf_params = tuple(np.asarray(crf[k], dtype=np.float64) for k in ("start", "end", "transitions"))

        def run(ids, mask, session=session):
            return session.run(["emissions"], {"input_ids": np.asarray(ids, dtype=np.int64),
                                               "attention_mask": np.asarray(mask, dtype=np.int64)})[0]

        scores, predicted = loop.evaluate_sets(run, crf_params, tokenizer, corpora.dev, max_tokens=8192)
        loop.log(f"weight {weight:.2f} of {meta_a['name']}: dev {M.format_sets(scores)}")
        results.append((M.mean_f1(scores), weight, graph, crf, scores, predicted))
    mean, weight, graph, crf, scores, predicted = max(results, key=lambda r: r[0])
    loop.log(f"best weight {weight:.2f}: mean F1 {mean:.4f}")
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    exposure = {n: M.recall_by_exposure(all_train, corpora.dev[n], predicted[n]) for n in corpora.dev}
    evaluation = M.evaluation_record(scores, exposure, {n: D.dev_split_description(n) for n in scores})
    evaluation["weightSearch"] = [{"weight": r[1], "meanF1": r[0]} for r in results]
    meta = {k: v for k, v in meta_a.items() if k not in ("modelSha256", "format", "evaluation", "provenance", "serving")}
    meta.update({
        "name": a.name, "version": a.version, "architecture": f"{meta_a['architecture']}+{meta_b['architecture']}",
        "description": f"{weight:.2f} x {meta_a['name']} {meta_a['version']} + {1 - weight:.2f} x {meta_b['name']} "
                       f"{meta_b['version']}: both graphs in one, emissions and CRF weighted (nerexport.combine)",
        "crf": crf,
        "provenance": {"combined": [{"name": m["name"], "version": m["version"], "modelSha256": m["modelSha256"],
                                     "weight": w} for m, w in ((meta_a, weight), (meta_b, 1 - weight))],
                       "recipe": "python -m nerexport.combine " + " ".join(argv if argv is not None else sys.argv[1:])},
        "evaluation": evaluation,
    })
    written = B.write_derived_bundle(a.out, graph, a_dir, meta)
    loop.log(f"bundle written to {a.out} (model.onnx {len(graph)} bytes)")
    if a.golden:
        from nerexport.raner.export import VALIDATION_TEXTS
        import os

        def run(ids, mask):
            return session_best.run(["emissions"], {"input_ids": np.asarray(ids, dtype=np.int64),
                                                    "attention_mask": np.asarray(mask, dtype=np.int64)})[0]

        session_best = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        cases = [B.golden_case(t, tokenizer, run, written) for t in VALIDATION_TEXTS]
        B.write_golden(a.golden, os.path.relpath(Path(a.out).resolve(), Path(a.golden).resolve().parent), cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
