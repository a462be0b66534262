"""Measures variants of the compact recipe that the shipped model does not use (MODEL_CARD.md, "What we
tried"). Not part of the recipe, of the bundle or of the tests: the lexicon features here exist only in
Python, so a model trained with them could not be exported to the bundle contract as it stands.

    cd ner-model-export
    /usr/bin/python3 experiments/compact_variants.py --data ../../shared/data --tag control
    /usr/bin/python3 experiments/compact_variants.py --data ../../shared/data --tag lexicon --lexicon
    /usr/bin/python3 experiments/compact_variants.py --data ../../shared/data --tag distill --distill 1
    /usr/bin/python3 experiments/compact_variants.py --data ../../shared/data --tag frozen --freeze-embeddings
    /usr/bin/python3 experiments/compact_variants.py --data ../../shared/data --tag augment --unk 0.1 --swap 0.3

Defaults are the 1.0.0 settings (3 epochs, lr 1e-3 halved per epoch, dropout 0.2, batch 32, seed 13), so
``--tag control`` reproduces 1.0.0's dev figures exactly. Each epoch prints the dev scores and the recall
on dev entities seen and unseen in training; checkpoints go to ``--work-dir``.

Variants:
* ``--lexicon``: SoftLexicon-style features from jieba's ``dict.txt`` (349k words with frequency and POS):
  for each word, the dictionary words that Begin, continue (Middle) or End there, or are that word alone,
  as the largest log-frequency per POS group (person, place, organisation, other proper noun,
  abbreviation, common noun, other), plus the lengths of the words that begin and end there; 36 inputs
  added to the first BiGRU layer.
* ``--distill L``: keep LAC-small's own knowledge while fine-tuning: an auxiliary head (LAC's 57-tag
  emission layer ``fc_4``) on the last BiGRU layer is trained towards the frozen LAC model's tag
  distribution (KL, summed per sentence, weight L).
* ``--third-layer``: a third BiGRU layer (random initialisation, residual) on top of LAC's two.
* ``--freeze-embeddings``: LAC's character embeddings are not trained.
* ``--unk P``: each input piece is replaced by ``[UNK]`` with probability P during training.
* ``--swap P``: each training sentence, with probability P per epoch, has every entity replaced by a random
  training entity of the same type.
"""

from __future__ import annotations

import argparse
import copy
import json
import math
import random
import sys
import time
import unicodedata
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nerexport.compact import lac as L  # noqa: E402
from nerexport.training import batching as BT  # noqa: E402
from nerexport.training import data as D  # noqa: E402
from nerexport.training import loop  # noqa: E402
from nerexport.training import metrics as M  # noqa: E402
from nerexport.compact.model import BiGRULayer, CompactTagger  # noqa: E402
from nerexport.decoding import chunk, viterbi  # noqa: E402
from nerexport.tokenization import BertWordPieceTokenizer  # noqa: E402

POS_GROUPS = {"nr": 0, "nrt": 0, "nrfg": 0, "ns": 1, "nt": 2, "nz": 3, "j": 4, "n": 5, "ng": 5, "vn": 5}
GROUPS = 7  # person, place, organisation, other proper noun, abbreviation, common noun, other
MAX_WORDS_PER_ENTRY = 8
LEXICON_DIM = 4 * GROUPS + 8


def load_lexicon(path):
    """``{word: {group: weight}}``; weight = log10(freq + 1) / 5 + 0.2, the largest per group."""
    lexicon = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 3:
                continue
            word = unicodedata.normalize("NFKC", parts[0]).lower()
            group = POS_GROUPS.get(parts[2], GROUPS - 1)
            weight = math.log10(int(parts[1]) + 1) / 5 + 0.2
            entry = lexicon.setdefault(word, {})
            entry[group] = max(entry.get(group, 0), weight)
    return lexicon


def lexicon_features(lexicon, word_texts) -> np.ndarray:
    """``[words, LEXICON_DIM]``: B, E, M and S group weights, then B and E match-length bins (2, 3, 4, 5+)."""
    n = len(word_texts)
    f = np.zeros((n, LEXICON_DIM), dtype=np.float32)
    for i in range(n):
        s = ""
        for j in range(i, min(n, i + MAX_WORDS_PER_ENTRY)):
            s += word_texts[j]
            if len(s) > 12:
                break
            hit = lexicon.get(s)
            if not hit:
                continue
            length = j - i + 1
            for g, v in hit.items():
                if length == 1:
                    f[i, 3 * GROUPS + g] = max(f[i, 3 * GROUPS + g], v)
                else:
                    f[i, g] = max(f[i, g], v)
                    f[j, GROUPS + g] = max(f[j, GROUPS + g], v)
                    for k in range(i + 1, j):
                        f[k, 2 * GROUPS + g] = max(f[k, 2 * GROUPS + g], v)
            if length >= 2:
                b = min(length, 5) - 2
                f[i, 4 * GROUPS + b] = 1
                f[j, 4 * GROUPS + 4 + b] = 1
    return f


class VariantTagger(CompactTagger):
    """The compact model with optional extra inputs to its first BiGRU layer (not thread-safe; training only)."""

    def __init__(self, *args, extra_inputs=0, third_layer=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_inputs = extra_inputs
        # a randomly initialised third BiGRU layer, added to the second's output (so training starts from LAC)
        self.gru3 = BiGRULayer(2 * self.gru2.hidden, self.gru2.hidden) if third_layer else None
        if extra_inputs:
            self.extra_w = nn.Parameter(torch.randn(2, 3 * self.gru1.hidden, extra_inputs) * 0.02)
        self.last_hidden = None

    def forward(self, ids, mask, extra=None):
        x = self.dropout(nn.functional.embedding(ids * mask, self.char_emb))
        lengths = mask.sum(1)
        if self.extra_inputs:
            h = self._widened_gru1(torch.cat([x, extra], -1), lengths)
        else:
            h = self.gru1(x, lengths)
        h = self.gru2(self.dropout(h), lengths)
        if self.gru3 is not None:
            h = h + self.gru3(self.dropout(h), lengths)
        self.last_hidden = self.dropout(h)
        return self.last_hidden @ self.emit_w + self.emit_b

    def _widened_gru1(self, x, lengths):
        saved = self.gru1.W
        try:  # the layer's own code, run with the input weights widened by the extra columns
            del self.gru1._parameters["W"]
            self.gru1.W = torch.cat([saved, self.extra_w], -1)
            return self.gru1(x, lengths)
        finally:
            del self.gru1.W
            self.gru1._parameters["W"] = saved


def swap_entities(sentences, pool, probability, rng):
    out = []
    for text, spans in sentences:
        if not spans or rng.random() >= probability:
            out.append((text, spans))
            continue
        pieces, new_spans, pos = [], [], 0
        for kind, start, end in sorted(spans, key=lambda s: s[1]):
            pieces.append(text[pos:start])
            name = rng.choice(pool[kind])
            at = sum(len(p) for p in pieces)
            pieces.append(name)
            new_spans.append((kind, at, at + len(name)))
            pos = end
        pieces.append(text[pos:])
        out.append(("".join(pieces), new_spans))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--tag", required=True)
    p.add_argument("--work-dir", default="/tmp/compact-variants")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--epochs", type=int, default=3)
    p.add_argument("--schedule", choices=["halve", "linear"], default="halve")
    p.add_argument("--dropout", type=float, default=0.2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--limit", type=int, default=0)
    p.add_argument("--lexicon", action="store_true")
    p.add_argument("--third-layer", action="store_true")
    p.add_argument("--distill", type=float, default=0.0)
    p.add_argument("--freeze-embeddings", action="store_true")
    p.add_argument("--unk", type=float, default=0.0)
    p.add_argument("--swap", type=float, default=0.0)
    a = p.parse_args(argv)
    torch.set_num_threads(1)
    loop.seed_everything(a.seed)
    data = Path(a.data)
    tok = BertWordPieceTokenizer(data / "bert-base-chinese" / "vocab.txt", lowercase=True)
    train_s, dev_s = D.read_dataset(data, "msra")
    if a.limit:
        train_s = train_s[: a.limit]
    lac_dir = L.default_lac_dir()
    lexicon = load_lexicon(lac_dir.parent / "dict.txt") if a.lexicon else None

    def build(sentences, max_words):
        rows, feats, owners = [], [], []
        for index, (text, spans) in enumerate(sentences):
            for r in D.to_rows(tok, text, spans, max_words):
                if not r.first_pieces:
                    continue
                rows.append(r)
                owners.append(index)
                if lexicon is not None:
                    words = [unicodedata.normalize("NFKC", text[s:e]).lower() for s, e in r.word_spans]
                    pf = np.zeros((len(r.input_ids), LEXICON_DIM), dtype=np.float32)
                    pf[r.first_pieces] = lexicon_features(lexicon, words)
                    feats.append(pf)
        return rows, feats, owners

    def extra_tensor(group, feats, width):
        if lexicon is None:
            return None
        out = torch.zeros(len(group), width, LEXICON_DIM)
        for k, i in enumerate(group):
            out[k, : len(feats[i])] = torch.from_numpy(feats[i])
        return out

    tr_rows, tr_feats, _ = build(train_s, BT.TRAIN_MAX_WORDS)
    dv_rows, dv_feats, dv_owner = build(dev_s, BT.EVAL_MAX_WORDS)
    model = VariantTagger(len(tok.vocab), len(D.LABELS), bigram_dim=0, dropout=a.dropout,
                          extra_inputs=LEXICON_DIM if lexicon is not None else 0, third_layer=a.third_layer)
    lac = L.load_lac(lac_dir)
    model.init_from_lac(L.bert_embeddings(lac["emb"], lac["vocab"], tok.vocab, a.seed)[0], lac["layers"])
    teacher = None
    if a.distill:
        base = lac_dir / "model_baseline"
        fc4_w = torch.from_numpy(L.read_lod_tensor(base / "fc_4.w_0"))
        fc4_b = torch.from_numpy(L.read_lod_tensor(base / "fc_4.b_0").reshape(-1))
        teacher = copy.deepcopy(model).eval()
        for q in teacher.parameters():
            q.requires_grad_(False)
        teacher.emit_w, teacher.emit_b = nn.Parameter(fc4_w.clone(), False), nn.Parameter(fc4_b.clone(), False)
        model.aux_w, model.aux_b = nn.Parameter(fc4_w.clone()), nn.Parameter(fc4_b.clone())
    if a.freeze_embeddings:
        model.char_emb.requires_grad_(False)

    def evaluate():
        model.eval()
        start, end, trans = model.crf.params()
        predicted = [set() for _ in dev_s]
        with torch.no_grad():
            for group in BT.batches(dv_rows, 64):
                ids, mask, first, _, _ = BT.tensors([dv_rows[i] for i in group], tok.pad_id)
                em = BT.first_piece_emissions(model(ids, mask, extra_tensor(group, dv_feats, ids.shape[1])), first)
                for k, i in enumerate(group):
                    r = dv_rows[i]
                    tags = viterbi(em[k, : len(r.first_pieces)].numpy(), start, end, trans)
                    for kind, x, y in chunk(tags, D.LABELS):
                        predicted[dv_owner[i]].add((kind, r.word_spans[x][0], r.word_spans[y][1]))
        scores = M.score([set(s) for _, s in dev_s], predicted)
        scores["by_exposure"] = M.recall_by_exposure(train_s, dev_s, predicted)
        return scores

    rng = random.Random(a.seed)
    unk_rng = torch.Generator().manual_seed(a.seed)
    swap_rng = random.Random(a.seed + 1)
    pool = {}
    for text, spans in train_s:
        for kind, s, e in spans:
            pool.setdefault(kind, []).append(text[s:e])
    per_epoch = len(BT.batches(tr_rows, 32))
    optimizer = torch.optim.Adam([q for q in model.parameters() if q.requires_grad], lr=a.lr)
    lr_at = loop.learning_rate_schedule(a.lr, a.schedule, per_epoch, per_epoch * a.epochs)

    work = Path(a.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    step, started = 0, time.time()
    for epoch in range(1, a.epochs + 1):
        model.train()
        loss_sum = seen = 0
        if a.swap:
            tr_rows, tr_feats, _ = build(swap_entities(train_s, pool, a.swap, swap_rng), BT.TRAIN_MAX_WORDS)
        for group in BT.batches(tr_rows, 32, rng):
            for g in optimizer.param_groups:
                g["lr"] = lr_at(step)
            ids, mask, first, tags, word_mask = BT.tensors([tr_rows[i] for i in group], tok.pad_id)
            if a.unk:
                inner = (mask == 1) & (ids != tok.cls_id) & (ids != tok.sep_id)
                drop = (torch.rand(ids.shape, generator=unk_rng) < a.unk) & inner
                ids = torch.where(drop, torch.full_like(ids, tok.vocab["[UNK]"]), ids)
            extra = extra_tensor(group, tr_feats, ids.shape[1])
            loss = model.crf.nll(BT.first_piece_emissions(model(ids, mask, extra), first), tags, word_mask)
            if teacher is not None:
                with torch.no_grad():
                    target = BT.first_piece_emissions(teacher(ids, mask, extra), first)
                aux = BT.first_piece_emissions(model.last_hidden @ model.aux_w + model.aux_b, first)
                kl = (torch.softmax(target, -1) * (torch.log_softmax(target, -1) - torch.log_softmax(aux, -1))).sum(-1)
                loss = loss + a.distill * (kl * word_mask.float()).sum() / len(group)
            loop.apply_gradients(model, optimizer, loss)
            step += 1
            loss_sum += loss.item() * len(group)
            seen += len(group)
        scores = evaluate()
        print(f"[{a.tag}] epoch {epoch} loss {loss_sum / seen:.4f} {time.time() - started:.0f}s {json.dumps(scores)}",
              flush=True)
        torch.save(model.state_dict(), work / f"{a.tag}-epoch{epoch}.pt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
