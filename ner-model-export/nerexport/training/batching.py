"""Rows to padded tensors, grouped by length so a batch carries little padding. Pure functions, thread-safe."""

from __future__ import annotations

import random
from typing import List, Sequence

import torch

from nerexport.training import data as D

TRAIN_MAX_WORDS = 150
EVAL_MAX_WORDS = 510  # maxWordPieces 512 minus [CLS]/[SEP]; a Latin run with several pieces may exceed it


def make_rows(tokenizer, sentences, max_words) -> List[D.Row]:
    rows = []
    for text, spans in sentences:
        rows.extend(r for r in D.to_rows(tokenizer, text, spans, max_words) if r.first_pieces)
    return rows


class MixtureRows:
    """Each epoch's training rows: the mixture of the training sets (:func:`data.mix`, reseeded per epoch so
    fractional weights sample other sentences) turned into rows; the current epoch's rows are kept, the
    previous ones dropped. Not thread-safe (one training loop)."""

    def __init__(self, tokenizer, train_sets, mixture, seed: int, max_words: int = TRAIN_MAX_WORDS):
        self.tokenizer, self.train_sets, self.mixture, self.seed, self.max_words = tokenizer, train_sets, mixture, seed, max_words
        self._epoch, self._rows = None, None

    def __call__(self, epoch: int) -> List[D.Row]:
        if epoch != self._epoch:
            self._epoch = epoch
            self._rows = make_rows(self.tokenizer, D.mix(self.train_sets, self.mixture, self.seed + epoch), self.max_words)
        return self._rows


def batches(rows: Sequence[D.Row], batch_size: int, rng: random.Random = None, max_tokens: int = 0):
    """Rows grouped by length (little padding); batch order shuffled when ``rng`` is given. With
    ``max_tokens``, a batch also stops growing before its padded size (rows x longest row) passes it, so
    batches of long rows are smaller (what a quadratic-cost encoder needs)."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i].input_ids))
    groups, current = [], []
    for i in order:
        width = len(rows[i].input_ids)
        if current and (len(current) == batch_size or (max_tokens and (len(current) + 1) * width > max_tokens)):
            groups.append(current)
            current = []
        current.append(i)
    if current:
        groups.append(current)
    if rng is not None:
        rng.shuffle(groups)
    return groups


def tensors(rows: Sequence[D.Row], pad_id: int):
    """``ids, mask, first, tags, word_mask`` for a list of rows, padded to the longest."""
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
    """``emissions [B, T, L]`` at each word's first piece: ``[B, W, L]``."""
    return emissions.gather(1, first.unsqueeze(-1).expand(-1, -1, emissions.shape[-1]))
