"""Turns a trained compact model into a bundle: ONNX graph, checks, ner-model.json figures, golden file.

Also a command to re-export a saved checkpoint (e.g. an intermediate epoch) without training:

    /usr/bin/python3 -m nerexport.compact.export --checkpoint /tmp/compact-train/epoch1.pt \
        --data ../../shared/data --out <bundle_dir> [--golden <golden.json>]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path

import numpy as np
import onnx
import torch

from nerexport import bundle as B
from nerexport.bge.source import sha256_of
from nerexport.compact.model import CompactTagger
from nerexport.compact.onnx_graph import build_onnx, run_graph
from nerexport.tokenization import BertWordPieceTokenizer, pad_rows
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M

NAME = "raner-compact-zh"
VERSION = "2.0.0"

GOLDEN_TEXTS = [
    "国务院总理李克强昨天在北京人民大会堂会见了微软公司总裁。",
    "中国人民银行行长周小川表示，上海将建成国际金融中心。",
    "张三和李四去了杭州西湖，还参观了浙江大学。",
    "2008年北京奥运会由国际奥林匹克委员会主办，NBA球星科比也来了。",
    "ＩＢＭ公司在纽约发布了新产品，售价１２００美元。",
    "联合国秘书长安南今天抵达日内瓦。",
    "今天天气很好。",
]


def torch_runner(model: CompactTagger):
    def run(ids, mask):
        with torch.no_grad():
            return model(torch.as_tensor(np.asarray(ids), dtype=torch.long),
                         torch.as_tensor(np.asarray(mask), dtype=torch.long)).numpy()
    return run


def check_graph(model: CompactTagger, model_bytes: bytes, rows) -> dict:
    """Padding invariance of PyTorch and of the graph (NumPy evaluator), and their equality on a padded
    batch. Raises BundleError on failure; returns the largest differences."""
    run_torch = torch_runner(model)

    def run_onnx(ids, mask):
        return run_graph(model_bytes, ids, mask)

    torch_pad = B.check_padding_invariance(run_torch, rows, pad_id=0)
    graph_pad = B.check_padding_invariance(run_onnx, rows, pad_id=0)
    ids, mask = pad_rows(rows, 0, max(len(r) for r in rows) + 3)
    ids, mask = np.asarray(ids, dtype=np.int64), np.asarray(mask, dtype=np.int64)
    a, b = run_torch(ids, mask), run_onnx(ids, mask)
    equal = max(B.compare_emissions(a[i, : len(r)], b[i, : len(r)]) for i, r in enumerate(rows))
    return {"padding_torch": torch_pad, "padding_graph": graph_pad, "torch_vs_graph": equal}


def export_bundle(result: dict, args, command: str) -> dict:
    """Writes the bundle (and golden file when ``args.golden``) for a trained model: ``result`` holds
    ``model``, ``tokenizer``, ``vocab_path``, ``dev`` (sentences per set), ``scores`` and ``exposure`` per set,
    ``history``, ``chosen``, ``train_seconds``, ``train_sentences`` (per set), ``train_rows``, ``lac_dir``."""
    model: CompactTagger = result["model"].eval()
    tokenizer: BertWordPieceTokenizer = result["tokenizer"]
    model_bytes = build_onnx(model, NAME)
    sample = [r.input_ids for r in D.to_rows(tokenizer, GOLDEN_TEXTS[0], [], 510)[:1]]
    sample += [r.input_ids for r in D.to_rows(tokenizer, GOLDEN_TEXTS[6], [], 510)[:1]]
    sample += [r.input_ids for r in D.to_rows(tokenizer, GOLDEN_TEXTS[3], [], 510)[:1]]
    checks = check_graph(model, model_bytes, sample)
    loop.log(f"graph checks: {checks}")

    dev_texts = [t for sentences in result["dev"].values() for t, _ in sentences][: args.latency_sentences]
    latency = loop.latency_ms(model, tokenizer, dev_texts)
    loop.log(f"single-sentence latency (PyTorch CPU, {latency['threads']} thread(s)): {latency}")
    parameters = sum(p.numel() for p in model.parameters())
    start, end, trans = model.crf.params()
    evaluation = M.evaluation_record(result["scores"], result["exposure"],
                                     {name: D.dev_split_description(name, args.dev_size, args.cluener_dev_size) for name in result["scores"]})
    evaluation.update({
        "parameters": parameters,
        "model_onnx_bytes": len(model_bytes),
        "latency_single_sentence_pytorch_cpu": latency,
        "graph_checks": checks,
    })
    meta = {
        "name": NAME,
        "version": VERSION,
        "description": (
            "Compact Chinese NER (PER/LOC/ORG) trained by ner-model-export's compact recipe on "
            + ", ".join(result["train_sentences"]) + ": character BiGRU-CRF over the bert-base-chinese word-piece vocabulary"
            + (" with hashed character-bigram embeddings" if model.config["bigram_dim"] else "")
            + (" and dictionary (jieba) word features computed in the graph" if model.config.get("lexicon_size") else "")
            + ", initialised from Baidu LAC-small. Not the RaNER weights."
        ),
        "architecture": "bigru-crf",
        "labels": list(D.LABELS),
        "scheme": "BIOES",
        "crf": B.crf_to_json(start, end, trans),
        "maxWordPieces": 512,
        "normalization": "NFKC",
        "provenance": {
            "recipe": command,
            "module": "ner-model-export/nerexport/compact",
            "seed": args.seed,
            "data": {
                "train": {name: f"{count} sentences, weight {args.mix[name]}" for name, count in result["train_sentences"].items()},
                "train_rows_per_epoch": result["train_rows"],
                "dev": {name: D.dev_split_description(name, args.dev_size, args.cluener_dev_size) for name in result["dev"]},
            },
            "vocabulary": "bert-base-chinese vocab.txt (21,128 tokens), lowercase",
            "initialisation": (
                "Baidu LAC-small from Debian python3-jieba 0.42.1 (Apache-2.0): character embeddings re-indexed "
                "to the BERT vocabulary and both BiGRU layers (exact, ONNX GRU linear_before_reset=0)"
                if result["lac_dir"] is not None else "random"
            ),
            "model": dict(model.config, parameters=parameters),
            **({"lexicon": {
                "source": str(result["lexicon_path"]),
                "sha256": sha256_of(result["lexicon_path"]),
                "words": "jieba dict.txt format; NFKC, word-pieces; at most 8 pieces",
                "table_slots": model.config["lexicon_size"],
                "features": "per position: B/M/E/S x 8 groups (person, place, organisation, other proper noun, "
                            "abbreviation, common noun, other, frequent) + begin/end length flags, computed in the graph",
            }} if result.get("lexicon_path") else {}),
            "training": {
                "epochs": args.epochs, "batch_size": args.batch_size, "optimizer": "Adam",
                "lr": args.lr, "schedule": {"linear": "linear warm-up, then linear decay to 5%",
                                             "halve": "linear warm-up, then halved after every epoch"}[args.schedule], "clip_grad_norm": 5.0,
                "weights": result["chosen"], "threads": args.threads,
                "seconds": round(result["train_seconds"]), "history": result["history"],
                **({"resumedFrom": result["resumed"]} if result.get("resumed") else {}),
            },
            "tools": {"python": platform.python_version(), "torch": torch.__version__,
                      "onnx": onnx.__version__, "numpy": np.__version__, "opset": 13},
        },
        "evaluation": evaluation,
    }
    written = B.write_bundle(args.out, model_bytes, result["vocab_path"], True, meta)
    loop.log(f"bundle written to {args.out} (model.onnx {len(model_bytes)} bytes, sha256 {written['modelSha256']})")
    if args.golden:
        run = torch_runner(model)
        cases = [B.golden_case(text, tokenizer, run, written) for text in GOLDEN_TEXTS]
        bundle_name = os.path.relpath(Path(args.out).resolve(), Path(args.golden).resolve().parent)
        B.write_golden(args.golden, bundle_name, cases)
        loop.log(f"golden file written to {args.golden}: {sum(len(c['entities']) for c in cases)} entities")
    return written


def load_checkpoint(path) -> CompactTagger:
    saved = torch.load(path, map_location="cpu")
    model = CompactTagger(**saved["config"])
    model.load_state_dict(saved["state"])
    return model.eval(), saved


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.compact.export", description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True, help="final.pt or epoch<N>.pt of a recipe run (it holds the run's arguments)")
    p.add_argument("--data", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--golden")
    a = p.parse_args(argv)
    model, saved = load_checkpoint(a.checkpoint)
    args = argparse.Namespace(**saved["args"])
    args.data, args.out, args.golden = a.data, a.out, a.golden
    torch.set_num_threads(args.threads)
    tokenizer = BertWordPieceTokenizer(Path(a.data) / "bert-base-chinese" / "vocab.txt", lowercase=True)
    corpora = D.load_corpora(a.data, args.mix, msra_dev_size=args.dev_size, cluener_dev_size=args.cluener_dev_size)
    scores, predicted = loop.evaluate_sets(loop.model_emissions(model), model.crf.params(), tokenizer, corpora.dev)
    loop.log(f"dev {M.format_sets(scores)}")
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    result = {"model": model, "tokenizer": tokenizer, "vocab_path": Path(a.data) / "bert-base-chinese" / "vocab.txt",
              "dev": corpora.dev, "scores": scores, "history": [], "train_seconds": 0,
              "exposure": {n: M.recall_by_exposure(all_train, corpora.dev[n], predicted[n]) for n in corpora.dev},
              "chosen": f"checkpoint {Path(a.checkpoint).name} (epoch {saved.get('epoch', '?')} of {args.epochs})",
              "train_sentences": {k: len(v) for k, v in corpora.train.items()}, "train_rows": 0,
              "lac_dir": None if args.no_lac else "LAC", "lexicon_path": getattr(args, "lexicon_path", None)}
    export_bundle(result, args, f"python -m nerexport.compact.export --checkpoint {Path(a.checkpoint).name} (re-export)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
