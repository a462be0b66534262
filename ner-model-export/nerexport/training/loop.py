"""The training loop every recipe runs, and the evaluation it reports: seeded, CPU only, one optimiser step
per length-grouped batch, a learning-rate schedule, per-epoch scores on every dev set, an optional running
average of the weights, checkpoints per epoch. Not thread-safe (it drives one model)."""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from nerexport.decoding import chunk, viterbi
from nerexport.training import batching as BT
from nerexport.training import data as D
from nerexport.training import metrics as M


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def learning_rate_schedule(lr: float, schedule: str, steps_per_epoch: int, total: int, warmup: Optional[int] = None):
    """``step -> learning rate``: linear warm-up (default min(300, total / 10) steps), then ``halve`` (halved
    after every epoch) or ``linear`` (decay to 5 % of ``lr`` at the last step)."""
    warmup = min(300, total // 10 + 1) if warmup is None else max(1, warmup)

    def lr_at(step: int) -> float:
        if step < warmup:
            return lr * (step + 1) / warmup
        if schedule == "halve":
            return lr * 0.5 ** (step // steps_per_epoch)
        return lr * max(0.05, 1 - (step - warmup) / max(1, total - warmup))

    return lr_at


def apply_gradients(model, optimizer, loss, clip: float = 5.0) -> None:
    """One optimiser step on ``loss``, gradients clipped to norm ``clip``."""
    optimizer.zero_grad()
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
    optimizer.step()


# ---- evaluation -------------------------------------------------------------------------------------

EmissionsFn = Callable[[torch.Tensor, torch.Tensor], object]


def predict_spans(emissions_fn: EmissionsFn, crf_params, tokenizer, texts: Sequence[str], batch_size: int = 64,
                  max_tokens: int = 0) -> List[set]:
    """Entity spans ``{(type, start, end)}`` per text (code points), decoded as ner-api decodes: each text as
    rows of at most ``EVAL_MAX_WORDS`` words, emissions at each word's first piece, Viterbi with the CRF's
    start/end/transition scores, RaNER's chunking rules. ``emissions_fn(ids, mask)`` returns a tensor or an
    array ``[B, T, labels]``."""
    start, end, trans = crf_params
    per_text = [set() for _ in texts]
    rows, owners = [], []
    for index, text in enumerate(texts):
        for r in D.to_rows(tokenizer, text, [], BT.EVAL_MAX_WORDS):
            if r.first_pieces:
                rows.append(r)
                owners.append(index)
    with torch.no_grad():
        for group in BT.batches(rows, batch_size, max_tokens=max_tokens):
            ids, mask, first, _, _ = BT.tensors([rows[i] for i in group], tokenizer.pad_id)
            em = torch.as_tensor(np.asarray(emissions_fn(ids, mask)))
            em = BT.first_piece_emissions(em, first).numpy()
            for k, i in enumerate(group):
                r = rows[i]
                tags = viterbi(em[k, : len(r.first_pieces)], start, end, trans)
                for kind, a, b in chunk(tags, D.LABELS):
                    per_text[owners[i]].add((kind, r.word_spans[a][0], r.word_spans[b][1]))
    return per_text


def evaluate_sets(emissions_fn: EmissionsFn, crf_params, tokenizer, dev: Mapping[str, Sequence[D.Sentence]],
                  batch_size: int = 64, max_tokens: int = 0):
    """``(scores per set, predicted spans per set)`` on every dev set."""
    scores, predicted = {}, {}
    for name, sentences in dev.items():
        found = predict_spans(emissions_fn, crf_params, tokenizer, [t for t, _ in sentences], batch_size, max_tokens)
        scores[name] = M.score([set(s) for _, s in sentences], found)
        predicted[name] = found
    return scores, predicted


def model_emissions(model) -> EmissionsFn:
    def run(ids, mask):
        return model(ids, mask)
    return run


def latency_ms(model, tokenizer, texts: Sequence[str], repeats: int = 1) -> dict:
    """Single-sentence PyTorch CPU latency (tokenization excluded): median and p90 in milliseconds."""
    model.eval()
    times = []
    with torch.no_grad():
        for text in texts:
            row = D.to_rows(tokenizer, text, [], BT.EVAL_MAX_WORDS)[0]
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


def resume_from(path, model, optimizer) -> Tuple[int, dict]:
    """Loads an ``epoch<N>.pt`` the loop saved into ``model`` (and ``optimizer``, when the checkpoint has its
    state); returns the epoch to start at and a record for the bundle's provenance."""
    saved = torch.load(path, map_location="cpu")
    model.load_state_dict(saved["state"])
    if "optimizer" in saved:
        optimizer.load_state_dict(saved["optimizer"])
    log(f"resuming after epoch {saved['epoch']} from {path} "
        f"({'with' if 'optimizer' in saved else 'without'} its optimizer state)")
    return int(saved["epoch"]) + 1, {"checkpoint": Path(path).name, "epoch": int(saved["epoch"]),
                                     "optimizerState": "optimizer" in saved}


class TrainingResult(dict):
    """What :func:`fit` returns: ``history`` (per epoch), ``scores`` and ``predicted`` per dev set for the
    weights kept, ``chosen`` (which weights), ``train_seconds``, ``steps``."""


def fit(model, train_rows: Sequence[D.Row], dev: Mapping[str, Sequence[D.Sentence]], tokenizer, *,
        optimizer, lr_at: Callable[[int], float], epochs: int, batch_size: int, seed: int, work_dir,
        max_tokens: int = 0, average_fraction: float = 0.0, clip: float = 5.0, eval_batch_size: int = 64,
        eval_max_tokens: int = 0, rows_for_epoch: Optional[Callable[[int], Sequence[D.Row]]] = None,
        log_every: int = 100, keep_best_epoch: bool = False, start_epoch: int = 1) -> TrainingResult:
    """Trains ``model`` (``model(ids, mask)`` gives emissions; ``model.crf`` is a LinearChainCrf) and returns
    the weights that score best on the mean dev F1 among the last epoch's, the running average's (when
    ``average_fraction`` > 0: the mean of snapshots every 20 steps over that final share of steps) and, with
    ``keep_best_epoch``, the best epoch's (so the number of epochs is chosen on dev).

    ``lr_at(step)`` sets each param group's learning rate, scaled by the group's ``lr_scale`` (default 1).
    ``rows_for_epoch(epoch)``, when given, supplies each epoch's rows (a resampled mixture).

    ``start_epoch`` > 1 resumes a run whose model (and, when the checkpoint held it, optimizer) already carry
    the earlier epochs: the step count, the schedule and the shuffling continue where that run stopped; the
    resumed weights are scored first so that ``keep_best_epoch`` can still choose them."""
    rng = random.Random(seed)
    steps_per_epoch = len(BT.batches(train_rows, batch_size, max_tokens=max_tokens))
    total = steps_per_epoch * epochs
    average, averaged = None, 0
    average_from = int(total * (1 - average_fraction)) if average_fraction > 0 else total + 1
    history = []
    best_epoch, best_state, best_mean = 0, None, -1.0
    work = Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    step = 0
    started = time.time()
    for earlier_epoch in range(1, start_epoch):  # the shuffles the earlier epochs drew, so later ones draw the same
        earlier = rows_for_epoch(earlier_epoch) if rows_for_epoch is not None else train_rows
        step += len(BT.batches(earlier, batch_size, rng, max_tokens=max_tokens))

    def evaluate_now():
        model.eval()
        return evaluate_sets(model_emissions(model), model.crf.params(), tokenizer, dev, eval_batch_size, eval_max_tokens)

    def snapshot():
        return {k: v.detach().clone() for k, v in model.state_dict().items()}

    def dev_record(scores):
        return {"dev": {name: s["overall"] for name, s in scores.items()}, "dev_mean_f1": M.mean_f1(scores)}

    if start_epoch > 1 and keep_best_epoch:
        scores, _ = evaluate_now()
        best_epoch, best_mean = start_epoch - 1, M.mean_f1(scores)
        best_state = snapshot()
        history.append({"epoch": start_epoch - 1, **dev_record(scores), "resumed": True})
        log(f"resumed after epoch {start_epoch - 1} dev {M.format_sets(scores)}")
    for epoch in range(start_epoch, epochs + 1):
        rows = rows_for_epoch(epoch) if rows_for_epoch is not None else train_rows
        model.train()
        loss_sum, seen = 0.0, 0
        for group in BT.batches(rows, batch_size, rng, max_tokens=max_tokens):
            for g in optimizer.param_groups:
                g["lr"] = lr_at(min(step, total - 1)) * g.get("lr_scale", 1.0)
            ids, mask, first, tags, word_mask = BT.tensors([rows[i] for i in group], tokenizer.pad_id)
            emissions = BT.first_piece_emissions(model(ids, mask), first)
            loss = model.crf.nll(emissions, tags, word_mask)
            apply_gradients(model, optimizer, loss, clip)
            step += 1
            loss_sum += loss.item() * len(group)
            seen += len(group)
            if step >= average_from and step % 20 == 0:
                state = snapshot()
                if average is None:
                    average, averaged = state, 1
                else:
                    averaged += 1
                    for k in average:
                        if average[k].is_floating_point():
                            average[k] += (state[k] - average[k]) / averaged
            if step % log_every == 0:
                log(f"epoch {epoch} step {step}/{total} loss {loss_sum / seen:.4f} "
                    f"lr {lr_at(min(step, total - 1)):.2e} {time.time() - started:.0f}s")
        scores, _ = evaluate_now()
        history.append({"epoch": epoch, "train_loss": round(loss_sum / seen, 4), **dev_record(scores),
                        "seconds": round(time.time() - started)})
        log(f"epoch {epoch} dev {M.format_sets(scores)}")
        if keep_best_epoch and epoch < epochs and M.mean_f1(scores) > best_mean:
            best_epoch, best_mean = epoch, M.mean_f1(scores)
            best_state = snapshot()
        torch.save({"config": getattr(model, "config", None), "state": model.state_dict(), "epoch": epoch,
                    "optimizer": optimizer.state_dict()}, work / f"epoch{epoch}.pt")
    train_seconds = time.time() - started

    chosen = "last"
    scores, predicted = evaluate_now()
    if best_state is not None and best_mean > M.mean_f1(scores):
        model.load_state_dict(best_state)
        scores, predicted = evaluate_now()
        chosen = f"epoch {best_epoch} of {epochs} (best mean dev F1)"
    if average is not None:
        last_state = {k: v.clone() for k, v in model.state_dict().items()}
        model.load_state_dict(average)
        avg_scores, avg_predicted = evaluate_now()
        log(f"averaged weights ({averaged} snapshots) dev {M.format_sets(avg_scores)}")
        if M.mean_f1(avg_scores) >= M.mean_f1(scores):
            chosen = f"average of {averaged} snapshots over the last {average_fraction:.0%} of steps"
            scores, predicted = avg_scores, avg_predicted
        else:
            model.load_state_dict(last_state)
    model.eval()
    log(f"final ({chosen}) dev {M.format_sets(scores)}")
    return TrainingResult(history=history, scores=scores, predicted=predicted, chosen=chosen,
                          train_seconds=train_seconds, steps=step)
