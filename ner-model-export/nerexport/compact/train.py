"""The one-command recipe of the compact model (CPU only, fixed seed):

    /usr/bin/python3 -m nerexport.compact.train --data ../../shared/data --out <bundle_dir> --seed 13

Data: the training parts of MSRA, CLUENER, Weibo and Resume, mixed by ``--mix`` (each set's weight is how
often its sentences are used per epoch), scored every epoch on the four fixed dev splits
(:mod:`nerexport.training.data`). Rows are built with the reference tokenizer exactly as ner-api builds them.
The model (see :mod:`nerexport.compact.model`) starts from LAC-small's character embeddings and BiGRU layers.
Training (:func:`nerexport.training.loop.fit`): Adam, linear warm-up then linear decay, gradient clipping,
and a running average of the weights over the last steps (kept when it scores better on the mean dev F1). At
the end the bundle is exported (graph checked for padding invariance and equality with PyTorch) with its dev
figures.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from nerexport.compact import lac as L
from nerexport.compact.export import export_bundle
from nerexport.compact.model import CompactTagger
from nerexport.lexicon import dictionary as LD
from nerexport.lexicon import table as LT
from nerexport.tokenization import BertWordPieceTokenizer
from nerexport.training import batching as BT
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M

DEFAULT_MIX = "msra=1,cluener=1,weibo=1,resume=1"


def lexicon_table(args, tokenizer):
    """The dictionary table for ``--lexicon`` (None without one)."""
    if args.lexicon == "none":
        return None
    path = LD.default_dictionary_path() if args.lexicon == "jieba" else Path(args.lexicon)
    if path is None or not path.is_file():
        raise SystemExit(f"--lexicon {args.lexicon}: no dictionary file (install python3-jieba or give a path)")
    entries = LD.read_dictionary(path, tokenizer)
    table = LT.build_table(entries)
    loop.log(f"dictionary {path}: {len(entries)} words of at most {table.max_pieces} pieces in a table of {table.size} slots")
    return table, path


def build_model(args, tokenizer, lac_dir, lexicon=None) -> CompactTagger:
    table = lexicon[0] if lexicon else None
    model = CompactTagger(len(tokenizer.vocab), len(D.LABELS), bigram_buckets=args.bigram_buckets,
                          bigram_dim=args.bigram_dim, dropout=args.dropout,
                          lexicon_size=table.size if table else 0, lexicon_max_pieces=table.max_pieces if table else 0,
                          cls_id=tokenizer.cls_id, sep_id=tokenizer.sep_id)
    if table is not None:
        model.set_lexicon(table)
    if lac_dir is not None:
        lac = L.load_lac(lac_dir)
        emb, matched = L.bert_embeddings(lac["emb"], lac["vocab"], tokenizer.vocab, args.seed)
        model.init_from_lac(emb, lac["layers"])
        loop.log(f"LAC-small initialisation from {lac_dir}: {matched} of {len(tokenizer.vocab)} BERT tokens matched")
    return model


def load_data(args):
    """``(corpora, tokenizer, vocab_path)`` for ``args``: the mixture's training sets and the dev sets."""
    data = Path(args.data)
    vocab_path = data / "bert-base-chinese" / "vocab.txt"
    tokenizer = BertWordPieceTokenizer(vocab_path, lowercase=True)
    corpora = D.load_corpora(data, args.mix, msra_dev_size=args.dev_size, cluener_dev_size=args.cluener_dev_size)
    if args.limit:
        corpora = D.Corpora({k: v[: args.limit] for k, v in corpora.train.items()}, corpora.dev)
    return corpora, tokenizer, vocab_path


def train(args) -> dict:
    torch.set_num_threads(args.threads)
    loop.seed_everything(args.seed)
    corpora, tokenizer, vocab_path = load_data(args)
    rows_for_epoch = BT.MixtureRows(tokenizer, corpora.train, args.mix, args.seed)
    train_rows = rows_for_epoch(1)
    sizes = {k: len(v) for k, v in corpora.train.items()}
    loop.log(f"training sets {sizes}, mixture {args.mix}: {len(train_rows)} rows per epoch; "
             f"dev sets {({k: len(v) for k, v in corpora.dev.items()})}")

    lac_dir = None if args.no_lac else (Path(args.lac_dir) if args.lac_dir else L.default_lac_dir())
    if not args.no_lac and lac_dir is None:
        raise SystemExit("LAC-small not found: install python3-jieba, give --lac-dir, or pass --no-lac")
    lexicon = lexicon_table(args, tokenizer)
    model = build_model(args, tokenizer, lac_dir, lexicon)
    steps_per_epoch = len(BT.batches(train_rows, args.batch_size))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    start_epoch, resumed = loop.resume_from(args.resume, model, optimizer) if args.resume else (1, None)
    lr_at = loop.learning_rate_schedule(args.lr, args.schedule, steps_per_epoch, steps_per_epoch * args.epochs)
    result = loop.fit(model, train_rows, corpora.dev, tokenizer, optimizer=optimizer, lr_at=lr_at,
                      epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, work_dir=args.work_dir,
                      average_fraction=args.average_fraction, rows_for_epoch=rows_for_epoch,
                      start_epoch=start_epoch)
    all_train = [s for sentences in corpora.train.values() for s in sentences]
    exposure = {name: M.recall_by_exposure(all_train, corpora.dev[name], result["predicted"][name]) for name in corpora.dev}
    loop.log(f"final dev recall by exposure in training: {exposure}")
    torch.save({"config": model.config, "state": model.state_dict(), "args": vars(args)}, Path(args.work_dir) / "final.pt")
    return dict(result, model=model, tokenizer=tokenizer, vocab_path=vocab_path, dev=corpora.dev, exposure=exposure,
                train_sentences=sizes, train_rows=len(train_rows), lac_dir=lac_dir, resumed=resumed,
                lexicon_path=lexicon[1] if lexicon else None)


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m nerexport.compact.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="the shared data folder (msra/, cluener2020/, weibo/, resume/, bert-base-chinese/)")
    p.add_argument("--out", required=True, help="bundle directory to write (model.onnx, tokenizer.json, ner-model.json)")
    p.add_argument("--golden", help="golden.json to write for the bundle (never inside the bundle)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--resume", help="continue training after this epoch<N>.pt of an earlier run (same arguments; "
                                    "weight averaging restarts at the resume)")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--schedule", choices=["linear", "halve"], default="linear",
                   help="after warm-up: linear decay to 5%% of --lr, or halving after every epoch")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--bigram-buckets", type=int, default=100003)
    p.add_argument("--bigram-dim", type=int, default=0, help="0 (default): no character-bigram features; random-init bigrams overfitted MSRA")
    p.add_argument("--lexicon", default="none",
                   help="dictionary features computed in the graph: 'jieba' (python3-jieba's dict.txt), a dict.txt-format path, or 'none' (default)")
    p.add_argument("--average-fraction", type=float, default=0.3, help="share of final steps whose weights are averaged")
    p.add_argument("--dev-size", type=int, default=D.MSRA_DEV_SIZE, help="the last N MSRA training sentences form its dev split")
    p.add_argument("--cluener-dev-size", type=int, default=D.CLUENER_DEV_SIZE, help="the last N CLUENER training records form its dev split")
    p.add_argument("--mix", default=DEFAULT_MIX, help="training sets and their weights, e.g. msra=1,cluener=1,weibo=2,resume=1 (default: %(default)s)")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training sentences of each set (tests)")
    p.add_argument("--lac-dir", help="LAC-small folder (default: the installed jieba's lac_small)")
    p.add_argument("--no-lac", action="store_true", help="random initialisation instead of LAC-small")
    p.add_argument("--threads", type=int, default=1, help="1: on a shared 2-core machine 2 threads measured several times slower")
    p.add_argument("--latency-sentences", type=int, default=200)
    p.add_argument("--work-dir", default="/tmp/compact-train", help="checkpoints")
    args = p.parse_args(argv)
    try:
        args.mix = D.parse_mixture(args.mix)
    except ValueError as e:
        p.error(str(e))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    result = train(args)
    export_bundle(result, args, command=" ".join(["python -m nerexport.compact.train"] + (argv or sys.argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
