"""Makes the faster variants of a BERT bundle that issue #16 compares, as bundles beside each other:

* ``fused``: ONNX Runtime's transformer optimiser offline (``onnxruntime.transformers.optimizer``, model type
  ``bert``): SkipLayerNormalization, BiasGelu and, where the exporter's pattern allows it, Attention, as
  ``com.microsoft`` contrib operators. ner-api's ONNX Runtime runs them; nerexport's NumPy evaluator does not.
* ``int8``: ONNX Runtime's dynamic quantisation of the MatMul weights and the embedding table
  (``nerexport.quantize.quantize``, the function the release tool uses). Its activations are quantised with
  one scale per call, so ner-api runs every row of it alone (``EmissionModel.rowsMustRunAlone``).

Run with the interpreter that has ONNX Runtime for Python (``/opt/nerexport-venv/bin/python``):

    python bench/variants/make_variants.py <bert bundle dir> <out dir> [fused,int8]

Each variant is ``<out dir>/<variant>/`` with the source's tokenizer.json and a ner-model.json whose name and
version carry the variant (``raner-bge-small-zh-int8``), so one ner-api can serve them side by side. Prints one
JSON line with what it made (operator counts per variant). Not a release tool: ``nerexport.quantize`` scores an
int8 variant on the dev sets and refuses one that loses more than 0.003 F1; these are for measuring speed.
"""

from __future__ import annotations

import collections
import json
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "ner-model-export"))

import onnx  # noqa: E402

from nerexport import bundle as B  # noqa: E402


def operator_counts(path: Path) -> dict:
    model = onnx.load(str(path))
    return dict(collections.Counter((n.domain or "ai.onnx") + ":" + n.op_type for n in model.graph.node
                                    if n.domain == "com.microsoft" or "Quantize" in n.op_type
                                    or "Integer" in n.op_type))


def fuse(source: Path, out: Path, meta: dict) -> None:
    from onnxruntime.transformers import optimizer

    encoder = (meta.get("provenance", {}).get("export", {}) or {}).get("encoder", {})
    heads, hidden = encoder.get("num_attention_heads", 0), encoder.get("hidden_size", 0)
    # opt_level 0: only the optimiser's own fusions, written as contrib operators; the session applies its
    # graph optimisations at load time anyway.
    model = optimizer.optimize_model(str(source), model_type="bert", num_heads=heads, hidden_size=hidden,
                                     opt_level=0)
    graph = model.model
    if any(n.op_type == "LayerNormalization" and not n.domain for n in graph.graph.node):
        # The optimiser writes ONNX's LayerNormalization (opset 17) into an opset-14 graph; ONNX Runtime
        # takes it either way, onnx.checker only with the opset that defines it (nothing else the
        # exporter uses changed between 14 and 17).
        for opset in graph.opset_import:
            if opset.domain in ("", "ai.onnx") and opset.version < 17:
                opset.version = 17
    model.save_model_to_file(str(out))


def main(argv) -> int:
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    source, out_dir = Path(argv[0]), Path(argv[1])
    wanted = (argv[2] if len(argv) > 2 else "fused,int8").split(",")
    meta = B.read_bundle_meta(source)
    made = {}
    with tempfile.TemporaryDirectory() as tmp:
        for variant in wanted:
            graph = Path(tmp) / f"{variant}.onnx"
            if variant == "fused":
                fuse(source / B.MODEL_FILE, graph, meta)
            elif variant == "int8":
                from nerexport.quantize import quantize

                quantize(source / B.MODEL_FILE, graph, embeddings=True)
            else:
                raise SystemExit(f"unknown variant {variant!r}: fused or int8")
            derived = {k: v for k, v in meta.items() if k not in ("modelSha256", "format", "serving")}
            derived["name"] = f"{meta['name']}-{variant}"
            derived["version"] = f"{meta['version']}-{variant}"
            derived["provenance"] = dict(meta.get("provenance", {}), variant={
                "of": {"name": meta["name"], "version": meta["version"], "modelSha256": meta.get("modelSha256")},
                "made": f"bench/variants/make_variants.py {variant} (speed measurement only)"})
            if meta.get("serving"):
                derived["serving"] = meta["serving"]
            B.write_derived_bundle(out_dir / variant, graph.read_bytes(), source, derived)
            made[variant] = {"dir": str(out_dir / variant), "operators": operator_counts(graph),
                             "bytes": graph.stat().st_size}
    print(json.dumps(made))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
