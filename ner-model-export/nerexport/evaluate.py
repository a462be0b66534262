"""Scores a model on the four dev sets and prints, per set, P/R/F1 per type, the errors by kind and the
recall on entities seen and unseen in training; for a bundle also its size, for a compact checkpoint its
single-sentence latency:

    /usr/bin/python3 -m nerexport.evaluate --bundle ../ner-api/src/main/resources/ner-models/raner-compact-zh --data ../../shared/data
    /usr/bin/python3 -m nerexport.evaluate --checkpoint /tmp/compact-train/final.pt --data ../../shared/data

``--bundle`` scores any bundle as shipped (compact or BERT): its ``model.onnx`` run by ONNX Runtime for
Python when it is installed (``--runtime ort``), else by the NumPy evaluator (``--runtime numpy``, slow for a
BERT), and its CRF from ``ner-model.json``, decoded as ner-api decodes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from nerexport import bundle as B
from nerexport.onnx_eval import OnnxEvaluator
from nerexport.tokenization import BertWordPieceTokenizer
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M


class BundleEmissions:
    """A bundle's graph and CRF as an emissions function (thread-safe for the NumPy runtime; an ORT session
    is thread-safe for ``run``)."""

    def __init__(self, bundle_dir, runtime: str = "auto", threads: int = 1):
        self.meta = B.read_bundle_meta(bundle_dir)
        if self.meta["labels"] != D.LABELS:
            raise SystemExit(f"{bundle_dir}: labels {self.meta['labels']} are not the recipes' {D.LABELS}")
        self.model_bytes = (Path(bundle_dir) / "model.onnx").read_bytes()
        crf = self.meta["crf"]
        self.crf = tuple(np.asarray(crf[k], dtype=np.float64) for k in ("start", "end", "transitions"))
        self.runtime = runtime
        if runtime in ("auto", "ort"):
            try:
                import onnxruntime as ort

                options = ort.SessionOptions()
                options.intra_op_num_threads = threads
                options.inter_op_num_threads = 1
                self.session = ort.InferenceSession(self.model_bytes, options, providers=["CPUExecutionProvider"])
                self.runtime = "ort"
            except ImportError:
                if runtime == "ort":
                    raise SystemExit("--runtime ort: onnxruntime is not installed for this interpreter") from None
                self.runtime = "numpy"
        if self.runtime == "numpy":
            self.evaluator = OnnxEvaluator(self.model_bytes)

    @staticmethod
    def tokenizer_of(bundle_dir) -> BertWordPieceTokenizer:
        """The reference tokenizer with the bundle's own vocabulary and settings."""
        import json

        spec = json.loads((Path(bundle_dir) / B.TOKENIZER_FILE).read_text(encoding="utf-8"))
        meta = B.read_bundle_meta(bundle_dir)
        return BertWordPieceTokenizer(vocab=spec["model"]["vocab"], lowercase=spec["normalizer"]["lowercase"],
                                      normalization=meta["normalization"])

    def __call__(self, ids, mask):
        feeds = {"input_ids": np.asarray(ids, dtype=np.int64), "attention_mask": np.asarray(mask, dtype=np.int64)}
        if self.runtime == "ort":
            return self.session.run(["emissions"], feeds)[0]
        return self.evaluator.run(["emissions"], feeds)[0]


def report(emissions_fn, crf_params, tokenizer, corpora: D.Corpora, training_fit: int = 0, max_tokens: int = 0,
           descriptions=None) -> dict:
    """Prints the per-set figures and returns the scores per set."""
    scores, predicted = loop.evaluate_sets(emissions_fn, crf_params, tokenizer, corpora.dev, max_tokens=max_tokens)
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    for name, dev in corpora.dev.items():
        where = (descriptions or {}).get(name) or D.dev_split_description(name)
        print(f"\n{name} dev ({where}): {len(dev)} sentences; strict span micro scores")
        print(f"{'type':8} {'P':>7} {'R':>7} {'F1':>7} {'gold':>6} {'pred':>6}")
        for kind, s in scores[name].items():
            print(f"{kind:8} {s['precision']:7.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6d} {s['predicted']:6d}")
        errors = M.error_breakdown([set(spans) for _, spans in dev], predicted[name])
        print("errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()))
        exposure = M.recall_by_exposure(all_train, dev, predicted[name])
        print("recall on dev entities " + ", ".join(f"{k} in training {v['recall']:.4f} ({v['gold']})" for k, v in exposure.items()))
    print(f"\nmean F1 over the {len(scores)} dev sets: {M.mean_f1(scores):.4f}")
    if training_fit:
        for name, train in corpora.train.items():
            for where, part in (("first", train[:training_fit]), ("last", train[-training_fit:])):
                found = loop.predict_spans(emissions_fn, crf_params, tokenizer, [t for t, _ in part], max_tokens=max_tokens)
                fit = M.score([set(s) for _, s in part], found)["overall"]
                print(f"{name} training part, {where} {len(part)} sentences: P {fit['precision']:.4f} "
                      f"R {fit['recall']:.4f} F1 {fit['f1']:.4f}")
    return scores


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.evaluate", description=__doc__.split("\n\n")[0])
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="a compact-recipe checkpoint (epoch<N>.pt, final.pt)")
    source.add_argument("--bundle", help="a bundle directory (model.onnx, tokenizer.json, ner-model.json)")
    p.add_argument("--data", required=True)
    p.add_argument("--sets", default=",".join(D.DATASETS), help="dev sets to score (default: %(default)s)")
    p.add_argument("--dev-size", type=int, default=D.MSRA_DEV_SIZE, help="the last N MSRA training sentences form its dev split")
    p.add_argument("--cluener-dev-size", type=int, default=D.CLUENER_DEV_SIZE, help="the last N CLUENER training records form its dev split")
    p.add_argument("--training-fit", type=int, default=0, metavar="N",
                   help="also score the first and the last N sentences of each training part (how well the model fits them)")
    p.add_argument("--runtime", choices=["auto", "ort", "numpy"], default="auto", help="how --bundle's graph is run")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--latency-sentences", type=int, default=200)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    sets = [s for s in a.sets.split(",") if s]
    tokenizer = BertWordPieceTokenizer(Path(a.data) / "bert-base-chinese" / "vocab.txt", lowercase=True)
    corpora = D.load_corpora(a.data, {name: 1.0 for name in sets}, dev_sets=sets, msra_dev_size=a.dev_size,
                             cluener_dev_size=a.cluener_dev_size)
    descriptions = {name: D.dev_split_description(name, a.dev_size, a.cluener_dev_size) for name in sets}
    if a.bundle:
        model = BundleEmissions(a.bundle, a.runtime, a.threads)
        print(f"bundle {a.bundle}: {model.meta['name']} {model.meta.get('version')}, runtime {model.runtime}")
        report(model, model.crf, tokenizer, corpora, a.training_fit, max_tokens=8192, descriptions=descriptions)
        recorded = model.meta.get("evaluation", {})
        print(f"parameters: {recorded.get('parameters', 'not recorded')}; model.onnx: {len(model.model_bytes) / 1e6:.1f} MB")
        return 0
    from nerexport.compact.export import load_checkpoint
    from nerexport.compact.onnx_graph import build_onnx

    model, _ = load_checkpoint(a.checkpoint)
    report(loop.model_emissions(model), model.crf.params(), tokenizer, corpora, a.training_fit, descriptions=descriptions)
    parameters = sum(p.numel() for p in model.parameters())
    print(f"parameters: {parameters:,}; model.onnx: {len(build_onnx(model)) / 1e6:.1f} MB")
    texts = [t for dev in corpora.dev.values() for t, _ in dev][: a.latency_sentences]
    latency = loop.latency_ms(model, tokenizer, texts)
    print(f"single-sentence latency, PyTorch CPU, {latency['threads']} thread(s), {latency['sentences']} dev sentences "
          f"(mean {latency['mean_chars']} chars): median {latency['median_ms']} ms, p90 {latency['p90_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
