"""The compact model in PyTorch: embeddings -> 2-layer BiGRU (ONNX GRU semantics) -> emissions, plus a CRF.

Everything here mirrors the ONNX graph that :mod:`nerexport.compact.onnx_graph` writes, operation for
operation, so the exported bundle computes what was trained:

* features per position ``t`` of a row ``[CLS] pieces [SEP] [PAD]...``: the piece's character embedding and
  (when ``bigram_dim > 0``) two hashed character-bigram embeddings, of ``(id[t-1], id[t])`` and ``(id[t], id[t+1])``, where ids are
  first multiplied by the attention mask and rows are extended by a 0 on both sides, so the features at real
  positions never see padding;
* each BiGRU layer is ONNX ``GRU`` with ``linear_before_reset=0`` (LAC's formula, not PyTorch ``nn.GRU``),
  gates ordered z, r, h, ``h' = (1 - z) * c + z * h``; the reverse direction runs over each row's true
  length (ONNX ``sequence_lens``), so rows never depend on padding or batch neighbours;
* a linear emission layer; a linear-chain CRF over the words' first pieces (trained here; ner-api decodes
  with its parameters from ner-model.json).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

# Bigram hash: bucket = ((left * VOCAB_STRIDE + right) * HASH_MULTIPLIER) mod buckets, in int64. Piece ids
# are < VOCAB_STRIDE; the largest product (< 2^31 * 2^32) stays inside int64 for ONNX and PyTorch alike.
VOCAB_STRIDE = 32768
HASH_MULTIPLIER = 2654435761


def bigram_buckets(ids: torch.Tensor, mask: torch.Tensor, buckets: int):
    """Left and right bigram buckets of each position (int64 [B, T] each), as the ONNX graph computes them."""
    masked = ids * mask
    zero = masked[:, :1] * 0
    prev = torch.cat([zero, masked[:, :-1]], dim=1)
    nxt = torch.cat([masked[:, 1:], zero], dim=1)
    left = torch.remainder((prev * VOCAB_STRIDE + masked) * HASH_MULTIPLIER, buckets)
    right = torch.remainder((masked * VOCAB_STRIDE + nxt) * HASH_MULTIPLIER, buckets)
    return masked, left, right


def reverse_within_length(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverses each row's first ``length`` steps of ``x [B, T, ...]`` and leaves the padding in place."""
    steps = x.shape[1]
    t = torch.arange(steps).unsqueeze(0)
    index = torch.where(t < lengths.unsqueeze(1), lengths.unsqueeze(1) - 1 - t, t)
    return x.gather(1, index.view(index.shape + (1,) * (x.dim() - 2)).expand_as(x))


class BiGRULayer(nn.Module):
    """A bidirectional ONNX-style GRU layer (``linear_before_reset=0``): W [2,3H,in], R [2,3H,H], B [2,6H]."""

    def __init__(self, input_size: int, hidden: int):
        super().__init__()
        self.hidden = hidden
        scale = hidden ** -0.5
        self.W = nn.Parameter(torch.empty(2, 3 * hidden, input_size).uniform_(-scale, scale))
        self.R = nn.Parameter(torch.empty(2, 3 * hidden, hidden).uniform_(-scale, scale))
        self.B = nn.Parameter(torch.zeros(2, 6 * hidden))

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """``x [B, T, in]`` -> ``[B, T, 2H]`` (forward | reverse); values at padded steps are meaningless."""
        H = self.hidden
        batch, steps, _ = x.shape
        both = torch.stack([x, reverse_within_length(x, lengths)])  # [2, B, T, in]
        # input projections for both directions at once: [2, B, T, 3H] (+ Wb)
        proj = torch.matmul(both, self.W.transpose(1, 2).unsqueeze(1)) + self.B[:, None, None, : 3 * H]
        r_zr = self.R[:, : 2 * H].transpose(1, 2)  # [2, H, 2H]
        r_h = self.R[:, 2 * H :].transpose(1, 2)  # [2, H, H]
        rb_zr = self.B[:, None, 3 * H : 5 * H]
        rb_h = self.B[:, None, 5 * H :]
        h = x.new_zeros(2, batch, H)
        outputs = []
        # unbind, not proj[:, :, t]: each slice's backward would add a full-size zero tensor per step
        for xt in proj.unbind(2):
            zr = torch.sigmoid(xt[..., : 2 * H] + torch.bmm(h, r_zr) + rb_zr)
            z, r = zr[..., :H], zr[..., H:]
            c = torch.tanh(xt[..., 2 * H :] + torch.bmm(r * h, r_h) + rb_h)
            h = (1 - z) * c + z * h
            outputs.append(h)
        out = torch.stack(outputs, dim=2)  # [2, B, T, H]
        return torch.cat([out[0], reverse_within_length(out[1], lengths)], dim=-1)


class CompactTagger(nn.Module):
    """Character + hashed-bigram embeddings, two BiGRU layers, emission layer, CRF parameters."""

    def __init__(self, vocab_size: int, num_labels: int, char_dim=128, bigram_buckets=100003, bigram_dim=32,
                 hidden=128, dropout=0.2):
        super().__init__()
        self.config = dict(vocab_size=vocab_size, num_labels=num_labels, char_dim=char_dim,
                           bigram_buckets=bigram_buckets, bigram_dim=bigram_dim, hidden=hidden, dropout=dropout)
        self.char_emb = nn.Parameter(torch.randn(vocab_size, char_dim) * 0.1)
        # bigram_dim 0: no bigram features (and no bigram nodes in the graph)
        self.bigram_emb = nn.Parameter(torch.randn(bigram_buckets, bigram_dim) * 0.1) if bigram_dim else None
        self.gru1 = BiGRULayer(char_dim + 2 * bigram_dim, hidden)
        self.gru2 = BiGRULayer(2 * hidden, hidden)
        self.emit_w = nn.Parameter(torch.randn(2 * hidden, num_labels) * (2 * hidden) ** -0.5)
        self.emit_b = nn.Parameter(torch.zeros(num_labels))
        self.crf_start = nn.Parameter(torch.zeros(num_labels))
        self.crf_end = nn.Parameter(torch.zeros(num_labels))
        self.crf_trans = nn.Parameter(torch.zeros(num_labels, num_labels))  # [from, to]
        self.dropout = nn.Dropout(dropout)

    def init_from_lac(self, bert_embeddings: np.ndarray, layers) -> None:
        """Character embeddings (re-indexed to the BERT vocabulary) and both LAC BiGRU layers; the bigram
        columns of layer 1's input weights stay small random (LAC has no bigram input)."""
        with torch.no_grad():
            self.char_emb.copy_(torch.from_numpy(bert_embeddings))
            (w1, r1, b1), (w2, r2, b2) = layers
            char_dim = bert_embeddings.shape[1]
            self.gru1.W[:, :, :char_dim] = torch.from_numpy(w1)
            self.gru1.W[:, :, char_dim:].normal_(0, 0.02)
            self.gru1.R.copy_(torch.from_numpy(r1))
            self.gru1.B.copy_(torch.from_numpy(b1))
            self.gru2.W.copy_(torch.from_numpy(w2))
            self.gru2.R.copy_(torch.from_numpy(r2))
            self.gru2.B.copy_(torch.from_numpy(b2))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Emissions ``[B, T, labels]`` for int64 ``ids``/``mask`` ``[B, T]`` (mask 1 then 0 per row)."""
        emb = nn.functional.embedding
        if self.bigram_emb is None:
            x = emb(ids * mask, self.char_emb)
        else:
            masked, left, right = bigram_buckets(ids, mask, self.bigram_emb.shape[0])
            x = torch.cat([emb(masked, self.char_emb), emb(left, self.bigram_emb), emb(right, self.bigram_emb)], dim=-1)
        lengths = mask.sum(dim=1)
        x = self.gru1(self.dropout(x), lengths)
        x = self.gru2(self.dropout(x), lengths)
        return self.dropout(x) @ self.emit_w + self.emit_b

    # ---- CRF over the words' first pieces ----------------------------------------------------------

    def crf_nll(self, emissions: torch.Tensor, tags: torch.Tensor, word_mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood; ``emissions [B, W, L]`` at first pieces, ``tags``/``word_mask [B, W]``
        with every row holding at least one word."""
        batch, words, _ = emissions.shape
        mask = word_mask.bool()
        lengths = word_mask.sum(1)
        rows = torch.arange(batch)
        # gold path score
        fmask = word_mask.to(emissions.dtype)
        gold_emissions = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)
        score = self.crf_start[tags[:, 0]] + (gold_emissions * fmask).sum(1)
        score = score + (self.crf_trans[tags[:, :-1], tags[:, 1:]] * fmask[:, 1:]).sum(1)
        score = score + self.crf_end[tags[rows, lengths - 1]]
        # partition function
        steps = emissions.unbind(1)
        alpha = self.crf_start + steps[0]
        for t in range(1, words):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.crf_trans, dim=1) + steps[t]
            alpha = torch.where(mask[:, t : t + 1], nxt, alpha)
        log_z = torch.logsumexp(alpha + self.crf_end, dim=1)
        return (log_z - score).mean()

    def crf_params(self):
        return (self.crf_start.detach().numpy(), self.crf_end.detach().numpy(), self.crf_trans.detach().numpy())
