"""Evaluates a trained compact model on the dev split and prints P/R/F1 per type, model size and
single-sentence latency (PyTorch CPU):

    /usr/bin/python3 -m nerexport.compact.evaluate --checkpoint /tmp/compact-train/final.pt --data ../../shared/data
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from nerexport.compact import data as D
from nerexport.compact import train as T
from nerexport.compact.export import load_checkpoint
from nerexport.compact.onnx_graph import build_onnx
from nerexport.tokenization import BertWordPieceTokenizer


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.compact.evaluate", description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--latency-sentences", type=int, default=200)
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    model, saved = load_checkpoint(a.checkpoint)
    dev_size = saved["args"]["dev_size"]
    tokenizer = BertWordPieceTokenizer(Path(a.data) / "bert-base-chinese" / "vocab.txt", lowercase=True)
    _, dev = D.load_corpora(a.data, dev_size, saved["args"].get("extra", []))
    scores = T.evaluate(model, tokenizer, dev)
    print(f"dev split: last {dev_size} MSRA training sentences; strict span micro scores")
    print(f"{'type':8} {'P':>7} {'R':>7} {'F1':>7} {'gold':>6} {'pred':>6}")
    for kind, s in scores.items():
        print(f"{kind:8} {s['precision']:7.4f} {s['recall']:7.4f} {s['f1']:7.4f} {s['gold']:6d} {s['predicted']:6d}")
    parameters = sum(p.numel() for p in model.parameters())
    print(f"parameters: {parameters:,}; model.onnx: {len(build_onnx(model)) / 1e6:.1f} MB")
    latency = T.latency_ms(model, tokenizer, [t for t, _ in dev][: a.latency_sentences])
    print(f"single-sentence latency, PyTorch CPU, {latency['threads']} thread(s), {latency['sentences']} dev sentences "
          f"(mean {latency['mean_chars']} chars): median {latency['median_ms']} ms, p90 {latency['p90_ms']} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
