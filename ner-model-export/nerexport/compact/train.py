"""The one-command recipe of the compact default model (CPU only, fixed seed):

    /usr/bin/python3 -m nerexport.compact.train --data ../shared/data --out <bundle_dir> --seed 13

Data: MSRA train minus its last ``--dev-size`` sentences (the dev split), optionally CLUENER/Weibo mapped to
PER/LOC/ORG (``--extra``). Rows are built with the reference tokenizer exactly as ner-api builds them. The
model (see :mod:`nerexport.compact.model`) starts from LAC-small's character embeddings and BiGRU layers.
Training: Adam, linear warm-up then linear decay, gradient clipping, and a running average of the weights
over the last epochs (the averaged model is kept when it scores better on dev). At the end the bundle is
exported (graph checked for padding invariance and equality with PyTorch) with its dev figures.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import random
import sys
import time
from pathlib import Path
from typing import Dict, List, Sequence

import numpy as np
import torch

from nerexport.compact import data as D
from nerexport.compact import lac as L
from nerexport.compact.model import CompactTagger
from nerexport.decoding import chunk, viterbi
from nerexport.tokenization import BertWordPieceTokenizer

TRAIN_MAX_WORDS = 150
EVAL_MAX_WORDS = 510  # maxWordPieces 512 minus [CLS]/[SEP]; a Latin run with several pieces may exceed it


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_rows(tokenizer, sentences, max_words) -> List[D.Row]:
    rows = []
    for text, spans in sentences:
        rows.extend(r for r in D.to_rows(tokenizer, text, spans, max_words) if r.first_pieces)
    return rows


def batches(rows: Sequence[D.Row], batch_size: int, rng: random.Random = None):
    """Rows grouped by length (little padding); batch order shuffled when ``rng`` is given."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].input_ids))
    groups = [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
    if rng is not None:
        rng.shuffle(groups)
    return groups


def tensors(rows: Sequence[D.Row], pad_id: int):
    width = max(len(r.input_ids) for r in rows)
    words = max(len(r.first_pieces) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    first = torch.zeros((len(rows), words), dtype=torch.long)
    tags = torch.zeros((len(rows), words), dtype=torch.long)
    word_mask = torch.zeros((len(rows), words), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, : len(r.input_ids)] = torch.tensor(r.input_ids)
        mask[i, : len(r.input_ids)] = 1
        first[i, : len(r.first_pieces)] = torch.tensor(r.first_pieces)
        tags[i, : len(r.tags)] = torch.tensor(r.tags)
        word_mask[i, : len(r.first_pieces)] = 1
    return ids, mask, first, tags, word_mask


def first_piece_emissions(emissions, first):
    return emissions.gather(1, first.unsqueeze(-1).expand(-1, -1, emissions.shape[-1]))


# ---- evaluation -------------------------------------------------------------------------------------


def predict_spans(model: CompactTagger, tokenizer, texts: Sequence[str], batch_size=64) -> List[set]:
    """Entity spans ``{(type, start, end)}`` per text (code points), decoded as ner-api decodes."""
    model.eval()
    start, end, trans = model.crf_params()
    labels = D.LABELS
    per_text = [set() for _ in texts]
    rows, owners = [], []
    for index, text in enumerate(texts):
        for r in D.to_rows(tokenizer, text, [], EVAL_MAX_WORDS):
            if r.first_pieces:
                rows.append(r)
                owners.append(index)
    with torch.no_grad():
        for group in batches(rows, batch_size):
            ids, mask, first, _, _ = tensors([rows[i] for i in group], tokenizer.pad_id)
            em = first_piece_emissions(model(ids, mask), first).numpy()
            for k, i in enumerate(group):
                r = rows[i]
                tags = viterbi(em[k, : len(r.first_pieces)], start, end, trans)
                for kind, a, b in chunk(tags, labels):
                    per_text[owners[i]].add((kind, r.word_spans[a][0], r.word_spans[b][1]))
    return per_text


def score(gold: Sequence[set], predicted: Sequence[set]) -> Dict[str, dict]:
    """Strict span micro P/R/F1 overall and per type."""
    out = {}
    for kind in list(D.TYPES) + ["overall"]:
        keep = (lambda s: True) if kind == "overall" else (lambda s, k=kind: s[0] == k)
        tp = sum(len({s for s in g if keep(s)} & {s for s in p if keep(s)}) for g, p in zip(gold, predicted))
        n_gold = sum(1 for g in gold for s in g if keep(s))
        n_pred = sum(1 for p in predicted for s in p if keep(s))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                     "gold": n_gold, "predicted": n_pred}
    return out


def recall_by_exposure(train_sentences, sentences, predicted: Sequence[set]) -> Dict[str, dict]:
    """Recall on the gold entities whose text and type occur as an entity in ``train_sentences`` ("seen")
    and on the others ("unseen"): how much of a score is names the model was shown."""
    seen = {(text[a:b], kind) for text, spans in train_sentences for kind, a, b in spans}
    counts = {"seen": [0, 0], "unseen": [0, 0]}
    for (text, spans), found in zip(sentences, predicted):
        for span in spans:
            hits = counts["seen" if (text[span[1] : span[2]], span[0]) in seen else "unseen"]
            hits[0] += span in found
            hits[1] += 1
    return {k: {"recall": round(hit / n, 4) if n else 0.0, "gold": n} for k, (hit, n) in counts.items()}


def error_breakdown(gold: Sequence[set], predicted: Sequence[set]) -> Dict[str, int]:
    """Strict-match errors by kind. A gold entity not predicted exactly is ``missed`` (no prediction
    overlaps it), ``wrong type`` (same span, other type), ``boundary`` (an overlapping prediction of its
    type) or ``boundary and type`` (overlapping predictions of other types only); a prediction that
    overlaps no gold entity is ``spurious``."""
    counts = dict.fromkeys(["missed", "wrong type", "boundary", "boundary and type", "spurious"], 0)
    for g, p in zip(gold, predicted):
        for kind, start, end in g - p:
            near = [q for q in p if q[1] < end and start < q[2]]
            if not near:
                counts["missed"] += 1
            elif any(q[1] == start and q[2] == end for q in near):
                counts["wrong type"] += 1
            elif any(q[0] == kind for q in near):
                counts["boundary"] += 1
            else:
                counts["boundary and type"] += 1
        counts["spurious"] += sum(1 for q in p - g if not any(s[1] < q[2] and q[1] < s[2] for s in g))
    return counts


def evaluate_with_predictions(model, tokenizer, sentences):
    """``(scores, predicted spans per sentence)``, so that other measures need no second pass."""
    gold = [set(spans) for _, spans in sentences]
    predicted = predict_spans(model, tokenizer, [t for t, _ in sentences])
    return score(gold, predicted), predicted


def evaluate(model, tokenizer, sentences) -> Dict[str, dict]:
    return evaluate_with_predictions(model, tokenizer, sentences)[0]


def format_scores(scores: Dict[str, dict]) -> str:
    return "  ".join(f"{k} P {v['precision']:.4f} R {v['recall']:.4f} F1 {v['f1']:.4f}" for k, v in scores.items())


def latency_ms(model, tokenizer, texts: Sequence[str], repeats: int = 1) -> dict:
    """Single-sentence PyTorch CPU latency (tokenization excluded): median and p90 in milliseconds."""
    model.eval()
    times = []
    with torch.no_grad():
        for text in texts:
            row = D.to_rows(tokenizer, text, [], EVAL_MAX_WORDS)[0]
            ids = torch.tensor([row.input_ids])
            mask = torch.ones_like(ids)
            for _ in range(repeats):
                t0 = time.perf_counter()
                model(ids, mask)
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"median_ms": round(times[len(times) // 2], 2), "p90_ms": round(times[int(len(times) * 0.9)], 2),
            "sentences": len(texts), "mean_chars": round(sum(len(t) for t in texts) / len(texts), 1),
            "threads": torch.get_num_threads()}


# ---- training -----------------------------------------------------------------------------------------


def learning_rate_schedule(lr: float, schedule: str, steps_per_epoch: int, total: int):
    """``step -> learning rate``: linear warm-up over min(300, total / 10) steps, then ``halve`` (halved
    after every epoch) or ``linear`` (decay to 5 % of ``lr`` at the last step)."""
    warmup = min(300, total // 10 + 1)

    def lr_at(step: int) -> float:
        if step < warmup:
            return lr * (step + 1) / warmup
        if schedule == "halve":
            return lr * 0.5 ** (step // steps_per_epoch)
        return lr * max(0.05, 1 - (step - warmup) / max(1, total - warmup))

    return lr_at


def apply_gradients(model, optimizer, loss) -> None:
    """One optimiser step on ``loss``, gradients clipped to norm 5."""
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
    optimizer.step()


def build_model(args, tokenizer, lac_dir) -> CompactTagger:
    model = CompactTagger(len(tokenizer.vocab), len(D.LABELS), bigram_buckets=args.bigram_buckets,
                          bigram_dim=args.bigram_dim, dropout=args.dropout)
    if lac_dir is not None:
        lac = L.load_lac(lac_dir)
        emb, matched = L.bert_embeddings(lac["emb"], lac["vocab"], tokenizer.vocab, args.seed)
        model.init_from_lac(emb, lac["layers"])
        log(f"LAC-small initialisation from {lac_dir}: {matched} of {len(tokenizer.vocab)} BERT tokens matched")
    return model


def train(args) -> dict:
    torch.set_num_threads(args.threads)
    seed_everything(args.seed)
    data = Path(args.data)
    vocab_path = data / "bert-base-chinese" / "vocab.txt"
    tokenizer = BertWordPieceTokenizer(vocab_path, lowercase=True)
    train_sentences, dev_sentences = D.load_corpora(data, args.dev_size, args.extra)
    if args.limit:
        train_sentences = train_sentences[: args.limit]
    train_rows = make_rows(tokenizer, train_sentences, TRAIN_MAX_WORDS)
    log(f"{len(train_sentences)} training sentences ({len(train_rows)} rows), {len(dev_sentences)} dev sentences")

    lac_dir = None if args.no_lac else (Path(args.lac_dir) if args.lac_dir else L.default_lac_dir())
    if not args.no_lac and lac_dir is None:
        raise SystemExit("LAC-small not found: install python3-jieba, give --lac-dir, or pass --no-lac")
    model = build_model(args, tokenizer, lac_dir)

    rng = random.Random(args.seed)
    steps_per_epoch = len(batches(train_rows, args.batch_size))
    total = steps_per_epoch * args.epochs
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    lr_at = learning_rate_schedule(args.lr, args.schedule, steps_per_epoch, total)

    average, averaged = None, 0
    average_from = int(total * (1 - args.average_fraction))
    history = []
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    step = 0
    started = time.time()
    for epoch in range(1, args.epochs + 1):
        model.train()
        loss_sum, seen = 0.0, 0
        for group in batches(train_rows, args.batch_size, rng):
            for g in optimizer.param_groups:
                g["lr"] = lr_at(step)
            ids, mask, first, tags, word_mask = tensors([train_rows[i] for i in group], tokenizer.pad_id)
            emissions = first_piece_emissions(model(ids, mask), first)
            loss = model.crf_nll(emissions, tags, word_mask)
            apply_gradients(model, optimizer, loss)
            step += 1
            loss_sum += loss.item() * len(group)
            seen += len(group)
            if step >= average_from and step % 20 == 0:
                state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                if average is None:
                    average, averaged = state, 1
                else:
                    averaged += 1
                    for k in average:
                        average[k] += (state[k] - average[k]) / averaged
            if step % 100 == 0:
                log(f"epoch {epoch} step {step}/{total} loss {loss_sum / seen:.4f} "
                    f"lr {lr_at(step):.2e} {time.time() - started:.0f}s")
        scores = evaluate(model, tokenizer, dev_sentences)
        history.append({"epoch": epoch, "train_loss": round(loss_sum / seen, 4), "dev": scores["overall"],
                        "seconds": round(time.time() - started)})
        log(f"epoch {epoch} dev {format_scores(scores)}")
        torch.save({"config": model.config, "state": model.state_dict(), "epoch": epoch, "args": vars(args)},
                   work / f"epoch{epoch}.pt")
    train_seconds = time.time() - started

    chosen = "last"
    scores, predicted = evaluate_with_predictions(model, tokenizer, dev_sentences)
    if average is not None:
        last_state = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(average)
        avg_scores, avg_predicted = evaluate_with_predictions(model, tokenizer, dev_sentences)
        log(f"averaged weights ({averaged} snapshots) dev {format_scores(avg_scores)}")
        if avg_scores["overall"]["f1"] >= scores["overall"]["f1"]:
            chosen = f"average of {averaged} snapshots over the last {args.average_fraction:.0%} of steps"
            scores, predicted = avg_scores, avg_predicted
        else:
            model.load_state_dict(last_state)
    log(f"final ({chosen}) dev {format_scores(scores)}")
    exposure = recall_by_exposure(train_sentences, dev_sentences, predicted)
    log(f"final dev recall by exposure in training: {exposure}")
    torch.save({"config": model.config, "state": model.state_dict(), "args": vars(args)}, work / "final.pt")
    return {"model": model, "tokenizer": tokenizer, "vocab_path": vocab_path, "dev": dev_sentences,
            "scores": scores, "exposure": exposure, "history": history, "chosen": chosen, "train_seconds": train_seconds,
            "train_sentences": len(train_sentences), "train_rows": len(train_rows), "lac_dir": lac_dir}


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="python -m nerexport.compact.train", description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="the shared data folder (msra/, bert-base-chinese/, ...)")
    p.add_argument("--out", required=True, help="bundle directory to write (model.onnx, tokenizer.json, ner-model.json)")
    p.add_argument("--golden", help="golden.json to write for the bundle (never inside the bundle)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--schedule", choices=["linear", "halve"], default="linear",
                   help="after warm-up: linear decay to 5%% of --lr, or halving after every epoch")
    p.add_argument("--dropout", type=float, default=0.3)
    p.add_argument("--bigram-buckets", type=int, default=100003)
    p.add_argument("--bigram-dim", type=int, default=0, help="0 (default): no character-bigram features; random-init bigrams overfitted MSRA")
    p.add_argument("--average-fraction", type=float, default=0.3, help="share of final steps whose weights are averaged")
    p.add_argument("--dev-size", type=int, default=2000, help="the last N MSRA training sentences form the dev split")
    p.add_argument("--extra", default="", help="comma-separated extra training corpora: cluener, weibo")
    p.add_argument("--limit", type=int, default=0, help="use only the first N training sentences (tests)")
    p.add_argument("--lac-dir", help="LAC-small folder (default: the installed jieba's lac_small)")
    p.add_argument("--no-lac", action="store_true", help="random initialisation instead of LAC-small")
    p.add_argument("--threads", type=int, default=1, help="1: on a shared 2-core machine 2 threads measured several times slower")
    p.add_argument("--latency-sentences", type=int, default=200)
    p.add_argument("--work-dir", default="/tmp/compact-train", help="checkpoints")
    args = p.parse_args(argv)
    args.extra = [e for e in args.extra.split(",") if e]
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    result = train(args)
    from nerexport.compact.export import export_bundle

    export_bundle(result, args, command=" ".join(["python -m nerexport.compact.train"] + (argv or sys.argv[1:])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
