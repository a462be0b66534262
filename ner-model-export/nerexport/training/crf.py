"""A linear-chain CRF over word labels, in PyTorch, with the parameter names RaNER checkpoints use
(``start_transitions``, ``end_transitions``, ``transitions[from, to]``), so a model's ``crf.*`` weights go
into a RaNER-layout checkpoint and ``ner-model.json`` unchanged. Decoding is not here: ner-api and
:mod:`nerexport.decoding` decode with these parameters. Not thread-safe while training (a module)."""

from __future__ import annotations

import torch
from torch import nn


class LinearChainCrf(nn.Module):
    def __init__(self, num_labels: int):
        super().__init__()
        self.start_transitions = nn.Parameter(torch.zeros(num_labels))
        self.end_transitions = nn.Parameter(torch.zeros(num_labels))
        self.transitions = nn.Parameter(torch.zeros(num_labels, num_labels))  # [from, to]

    def nll(self, emissions: torch.Tensor, tags: torch.Tensor, word_mask: torch.Tensor) -> torch.Tensor:
        """Mean negative log-likelihood; ``emissions [B, W, L]`` at first pieces, ``tags``/``word_mask [B, W]``
        with every row holding at least one word."""
        batch, words, _ = emissions.shape
        mask = word_mask.bool()
        lengths = word_mask.sum(1)
        rows = torch.arange(batch)
        fmask = word_mask.to(emissions.dtype)
        gold_emissions = emissions.gather(2, tags.unsqueeze(2)).squeeze(2)
        score = self.start_transitions[tags[:, 0]] + (gold_emissions * fmask).sum(1)
        score = score + (self.transitions[tags[:, :-1], tags[:, 1:]] * fmask[:, 1:]).sum(1)
        score = score + self.end_transitions[tags[rows, lengths - 1]]
        steps = emissions.unbind(1)
        alpha = self.start_transitions + steps[0]
        for t in range(1, words):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + self.transitions, dim=1) + steps[t]
            alpha = torch.where(mask[:, t : t + 1], nxt, alpha)
        log_z = torch.logsumexp(alpha + self.end_transitions, dim=1)
        return (log_z - score).mean()

    def params(self):
        """``(start, end, transitions)`` as NumPy arrays, what the decoders take."""
        return (self.start_transitions.detach().numpy(), self.end_transitions.detach().numpy(),
                self.transitions.detach().numpy())
