"""Evaluates a compact model on the dev split and prints P/R/F1 per type, the errors by kind, the recall on
entities seen and unseen in training, the model size and (for a checkpoint) single-sentence latency:

    /usr/bin/python3 -m nerexport.compact.evaluate --checkpoint /tmp/compact-train/final.pt --data ../../shared/data
    /usr/bin/python3 -m nerexport.compact.evaluate --bundle ../ner-api/src/main/resources/ner-model --data ../../shared/data

``--bundle`` scores the bundle as shipped: its ``model.onnx`` run by the NumPy ONNX evaluator and its CRF
from ``ner-model.json``, decoded as ner-api decodes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

from nerexport import bundle as B
from nerexport.compact import data as D
from nerexport.compact import train as T
from nerexport.compact.export import load_checkpoint
from nerexport.compact.onnx_graph import build_onnx, run_graph
from nerexport.tokenization import BertWordPieceTokenizer


class BundleModel:
    """A bundle's graph and CRF behind the two methods ``train.predict_spans`` calls (thread-safe: it holds
    only immutable bytes and arrays)."""

    def __init__(self, bundle_dir):
        self.meta = B.read_bundle_meta(bundle_dir)
        if self.meta["labels"] != D.LABELS:
            raise SystemExit(f"{bundle_dir}: labels {self.meta['labels']} are not the compact recipe's {D.LABELS}")
        self.model_bytes = (Path(bundle_dir) / "model.onnx").read_bytes()
        crf = self.meta["crf"]
        self.crf = tuple(np.asarray(crf[k], dtype=np.float64) for k in ("start", "end", "transitions"))

    def eval(self):
        return self

    def crf_params(self):
        return self.crf

    def __call__(self, ids, mask):
        return torch.from_numpy(run_graph(self.model_bytes, ids.numpy(), mask.numpy()))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.compact.evaluate", description=__doc__.split("\n\n")[0])
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--checkpoint", help="a checkpoint the recipe saved (epoch<N>.pt, final.pt)")
    source.add_argument("--bundle", help="a bundle directory (model.onnx, tokenizer.json, ner-model.json)")
    p.add_argument("--data", required=True)
    p.add_argument("--dev-size", type=int, default=2000, help="with --bundle: the last N MSRA training sentences form the dev split")
    p.add_argument("--training-fit", type=int, default=0, metavar="N",
                   help="also score the first and the last N sentences of the training part (how well the model fits them)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--latency-sentences", type=int, default=200)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    if a.checkpoint:
        model, saved = load_checkpoint(a.checkpoint)
        dev_size, extra = saved["args"]["dev_size"], saved["args"].get("extra", [])
    else:
        model, dev_size, extra = BundleModel(a.bundle), a.dev_size, []
    tokenizer = BertWordPieceTokenizer(Path(a.data) / "bert-base-chinese" / "vocab.txt", lowercase=True)
    train, dev = D.load_corpora(a.data, dev_size, extra)
    scores, predicted = T.evaluate_with_predictions(model, tokenizer, dev)
    print(f"dev split: last {dev_size} MSRA training sentences; strict span micro scores")
    print(f"{'type':8} {'P':>7} {'R':>7} {'F1':>7} {'gold':>6} {'pred':>6}")
    for kind, s in scores.items():
        print(f"{kind:8} {s['precision']:7.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6d} {s['predicted']:6d}")
    errors = T.error_breakdown([set(spans) for _, spans in dev], predicted)
    print("errors: " + ", ".join(f"{k} {v}" for k, v in errors.items()))
    exposure = T.recall_by_exposure(train, dev, predicted)
    print("recall on dev entities " + ", ".join(
        f"{k} in training {v['recall']:.4f} ({v['gold']})" for k, v in exposure.items()))
    if a.training_fit:
        for name, part in (("first", train[: a.training_fit]), ("last", train[-a.training_fit :])):
            fit = T.evaluate(model, tokenizer, part)["overall"]
            print(f"training part, {name} {len(part)} sentences: P {fit['precision']:.4f} R {fit['recall']:.4f} "
                  f"F1 {fit['f1']:.4f}")
    if a.bundle:
        print(f"parameters: {model.meta['evaluation'].get('parameters', 'not recorded')}; "
              f"model.onnx: {len(model.model_bytes) / 1e6:.1f} MB; latency: measured on checkpoints only "
              "(the NumPy evaluator is not a runtime)")
        return 0
    parameters = sum(p.numel() for p in model.parameters())
    print(f"parameters: {parameters:,}; model.onnx: {len(build_onnx(model)) / 1e6:.1f} MB")
    latency = T.latency_ms(model, tokenizer, [t for t, _ in dev][: a.latency_sentences])
    print(f"single-sentence latency, PyTorch CPU, {latency['threads']} thread(s), {latency['sentences']} dev sentences "
          f"(mean {latency['mean_chars']} chars): median {latency['median_ms']} ms, p90 {latency['p90_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
