"""The fine-tuned tagger: a BERT encoder, a linear emission layer and a CRF, with RaNER's parameter names
(``encoder.*``, ``linear.*``, ``crf.*``), so its state dict is a RaNER checkpoint's ``pytorch_model.bin``.
Not thread-safe while training (a module)."""

from __future__ import annotations

from typing import Dict

import torch

from nerexport.raner.bert import BertConfig, RanerEmissionModel
from nerexport.training.crf import LinearChainCrf


class BertCrfTagger(RanerEmissionModel):
    def __init__(self, cfg: BertConfig, num_labels: int, dropout: float = 0.1):
        super().__init__(cfg, num_labels, dropout)
        self.crf = LinearChainCrf(num_labels)
        self.config = {"bert": cfg.to_json(), "num_labels": num_labels, "dropout": dropout}

    @staticmethod
    def from_pretrained(cfg: BertConfig, encoder_state: Dict[str, torch.Tensor], num_labels: int, dropout: float,
                        seed: int) -> "BertCrfTagger":
        """The pretrained encoder; the emission layer drawn from N(0, 0.02) as BERT initialises heads; CRF zero."""
        generator = torch.Generator().manual_seed(seed)
        model = BertCrfTagger(cfg, num_labels, dropout)
        model.encoder.load_state_dict(encoder_state, strict=True)
        with torch.no_grad():
            model.linear.weight.copy_(torch.randn(model.linear.weight.shape, generator=generator) * 0.02)
            model.linear.bias.zero_()
        return model
