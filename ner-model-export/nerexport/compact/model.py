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
* a linear emission layer; a linear-chain CRF over the words' first pieces (:class:`LinearChainCrf`; ner-api
  decodes with its parameters from ner-model.json).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from nerexport.lexicon import features as LF
from nerexport.lexicon.table import LexiconTable
from nerexport.training.crf import LinearChainCrf

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
                 hidden=128, dropout=0.2, lexicon_size=0, lexicon_max_pieces=0, cls_id=101, sep_id=102):
        super().__init__()
        self.config = dict(vocab_size=vocab_size, num_labels=num_labels, char_dim=char_dim,
                           bigram_buckets=bigram_buckets, bigram_dim=bigram_dim, hidden=hidden, dropout=dropout,
                           lexicon_size=lexicon_size, lexicon_max_pieces=lexicon_max_pieces, cls_id=cls_id, sep_id=sep_id)
        self.char_emb = nn.Parameter(torch.randn(vocab_size, char_dim) * 0.1)
        # bigram_dim 0: no bigram features (and no bigram nodes in the graph)
        self.bigram_emb = nn.Parameter(torch.randn(bigram_buckets, bigram_dim) * 0.1) if bigram_dim else None
        # lexicon_size 0: no dictionary features; otherwise the table is part of the model (buffers, saved
        # with it and copied into the graph), see nerexport.lexicon
        lexicon_dim = LF.FEATURES if lexicon_size else 0
        if lexicon_size:
            self.register_buffer("lexicon_keys", torch.full((lexicon_size,), -1, dtype=torch.long))
            self.register_buffer("lexicon_values", torch.zeros(lexicon_size, dtype=torch.long))
        self.gru1 = BiGRULayer(char_dim + 2 * bigram_dim + lexicon_dim, hidden)
        self.gru2 = BiGRULayer(2 * hidden, hidden)
        self.emit_w = nn.Parameter(torch.randn(2 * hidden, num_labels) * (2 * hidden) ** -0.5)
        self.emit_b = nn.Parameter(torch.zeros(num_labels))
        self.crf = LinearChainCrf(num_labels)
        self.dropout = nn.Dropout(dropout)

    def set_lexicon(self, table: LexiconTable) -> None:
        if not self.config["lexicon_size"] or table.size != self.config["lexicon_size"] or table.max_pieces != self.config["lexicon_max_pieces"]:
            raise ValueError(f"a table of {table.size} slots / {table.max_pieces} pieces does not fit {self.config}")
        with torch.no_grad():
            self.lexicon_keys.copy_(torch.from_numpy(table.keys))
            self.lexicon_values.copy_(torch.from_numpy(table.values.astype(np.int64)))

    def lexicon_table(self) -> LexiconTable:
        return LexiconTable(self.lexicon_keys.numpy().copy(), self.lexicon_values.numpy().astype(np.uint8),
                            self.config["lexicon_max_pieces"])

    def lexicon_features(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        lex = LF.LexiconTensors(self.lexicon_keys, self.lexicon_values, self.config["lexicon_max_pieces"],
                                self.config["cls_id"], self.config["sep_id"])
        return LF.lexicon_features(ids, mask, lex)

    def init_from_lac(self, bert_embeddings: np.ndarray, layers) -> None:
        """Character embeddings (re-indexed to the BERT vocabulary) and both LAC BiGRU layers; the bigram and
        dictionary columns of layer 1's input weights stay small random (LAC has no such input)."""
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
        if self.config["lexicon_size"]:
            x = torch.cat([x, self.lexicon_features(ids, mask)], dim=-1)
        lengths = mask.sum(dim=1)
        x = self.gru1(self.dropout(x), lengths)
        x = self.gru2(self.dropout(x), lengths)
        return self.dropout(x) @ self.emit_w + self.emit_b
