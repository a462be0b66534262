"""A BERT encoder plus RaNER's emission layer in plain PyTorch (no `transformers`, which Debian lacks).

It follows HuggingFace's ``BertModel`` (absolute position embeddings, post-LayerNorm, exact erf GELU,
additive attention mask) and loads the same parameter names, so a StructBERT/BERT checkpoint in HF layout
loads as is. ``token_type_ids`` are always zero in the RaNER pipeline, so the module adds the
type-0 embedding itself and the exported graph takes only ``input_ids`` and ``attention_mask``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Dict

import torch
from torch import nn
from torch.nn import functional as F

# Additive score for masked keys: exp() of it underflows to exactly 0 in float32, so padded keys get no
# weight at all (what makes the encoder padding-invariant), without the -inf/NaN risks of finfo.min.
MASKED_SCORE = -10000.0


@dataclass(frozen=True)
class BertConfig:
    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    hidden_act: str = "gelu"

    @staticmethod
    def from_json(config: dict, source: str = "config.json") -> "BertConfig":
        """Reads a HuggingFace BERT config.json; refuses settings this forward does not implement."""
        required = ["vocab_size", "hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size", "max_position_embeddings"]
        missing = [k for k in required if k not in config]
        if missing:
            raise ValueError(f"{source} lacks {missing}: not a BERT config")
        act = config.get("hidden_act", "gelu")
        if act not in ("gelu", "relu", "gelu_new", "gelu_pytorch_tanh"):
            raise ValueError(f"{source}: hidden_act {act!r} is not supported")
        position = config.get("position_embedding_type", "absolute")
        if position != "absolute":
            raise ValueError(f"{source}: position_embedding_type {position!r} is not supported (only 'absolute')")
        cfg = BertConfig(
            vocab_size=int(config["vocab_size"]),
            hidden_size=int(config["hidden_size"]),
            num_hidden_layers=int(config["num_hidden_layers"]),
            num_attention_heads=int(config["num_attention_heads"]),
            intermediate_size=int(config["intermediate_size"]),
            max_position_embeddings=int(config["max_position_embeddings"]),
            type_vocab_size=int(config.get("type_vocab_size", 2)),
            layer_norm_eps=float(config.get("layer_norm_eps", 1e-12)),
            hidden_act=act,
        )
        if cfg.hidden_size % cfg.num_attention_heads:
            raise ValueError(f"{source}: hidden_size {cfg.hidden_size} is not a multiple of {cfg.num_attention_heads} heads")
        return cfg

    def to_json(self) -> dict:
        return dict(self.__dict__)


def _activation(name: str):
    if name == "gelu":
        return F.gelu
    if name in ("gelu_new", "gelu_pytorch_tanh"):
        return lambda x: F.gelu(x, approximate="tanh")
    return F.relu


class BertEmbeddings(nn.Module):
    def __init__(self, cfg: BertConfig, dropout: float = 0.0):
        super().__init__()
        self.word_embeddings = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.position_embeddings = nn.Embedding(cfg.max_position_embeddings, cfg.hidden_size)
        self.token_type_embeddings = nn.Embedding(cfg.type_vocab_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, input_ids: torch.Tensor) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1], device=input_ids.device).unsqueeze(0)
        x = self.word_embeddings(input_ids) + self.position_embeddings(positions) + self.token_type_embeddings.weight[0]
        return self.dropout(self.LayerNorm(x))


class BertSelfAttention(nn.Module):
    def __init__(self, cfg: BertConfig, dropout: float = 0.0):
        super().__init__()
        self.dropout = nn.Dropout(dropout)
        self.heads = cfg.num_attention_heads
        self.head_size = cfg.hidden_size // cfg.num_attention_heads
        self.query = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.key = nn.Linear(cfg.hidden_size, cfg.hidden_size)
        self.value = nn.Linear(cfg.hidden_size, cfg.hidden_size)

    def _split(self, x: torch.Tensor) -> torch.Tensor:
        batch, seq, _ = x.shape
        return x.view(batch, seq, self.heads, self.head_size).transpose(1, 2)

    def forward(self, x: torch.Tensor, additive_mask: torch.Tensor) -> torch.Tensor:
        q, k, v = self._split(self.query(x)), self._split(self.key(x)), self._split(self.value(x))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.head_size) + additive_mask
        context = torch.matmul(self.dropout(torch.softmax(scores, dim=-1)), v)
        batch, _, seq, _ = context.shape
        return context.transpose(1, 2).reshape(batch, seq, self.heads * self.head_size)


class BertSelfOutput(nn.Module):
    def __init__(self, cfg: BertConfig, in_size: int, dropout: float = 0.0):
        super().__init__()
        self.dense = nn.Linear(in_size, cfg.hidden_size)
        self.LayerNorm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class BertAttention(nn.Module):
    def __init__(self, cfg: BertConfig, dropout: float = 0.0):
        super().__init__()
        self.self = BertSelfAttention(cfg, dropout)
        self.output = BertSelfOutput(cfg, cfg.hidden_size, dropout)

    def forward(self, x, additive_mask):
        return self.output(self.self(x, additive_mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, cfg: BertConfig):
        super().__init__()
        self.dense = nn.Linear(cfg.hidden_size, cfg.intermediate_size)
        self.act = _activation(cfg.hidden_act)

    def forward(self, x):
        return self.act(self.dense(x))


class BertLayer(nn.Module):
    def __init__(self, cfg: BertConfig, dropout: float = 0.0):
        super().__init__()
        self.attention = BertAttention(cfg, dropout)
        self.intermediate = BertIntermediate(cfg)
        self.output = BertSelfOutput(cfg, cfg.intermediate_size, dropout)

    def forward(self, x, additive_mask):
        attended = self.attention(x, additive_mask)
        return self.output(self.intermediate(attended), attended)


class BertLayers(nn.Module):
    def __init__(self, cfg: BertConfig, dropout: float = 0.0):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(cfg, dropout) for _ in range(cfg.num_hidden_layers)])

    def forward(self, x, additive_mask):
        for layer in self.layer:
            x = layer(x, additive_mask)
        return x


class BertEncoder(nn.Module):
    """HF ``BertModel`` without the pooler: parameter names ``embeddings.*`` and ``encoder.layer.N.*``.
    ``dropout`` (HF's hidden and attention dropout, for fine-tuning) acts in training mode only and adds no
    parameters, so exports and checkpoints are the same with or without it."""

    def __init__(self, cfg: BertConfig, dropout: float = 0.0):
        super().__init__()
        self.config = cfg
        self.embeddings = BertEmbeddings(cfg, dropout)
        self.encoder = BertLayers(cfg, dropout)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        # [batch, 1, 1, seq]: 0 for real keys, MASKED_SCORE for padding
        additive = (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * MASKED_SCORE
        return self.encoder(self.embeddings(input_ids), additive)


class RanerEmissionModel(nn.Module):
    """BERT encoder + ``Linear(hidden, labels)``: RaNER's emissions, the part that goes into model.onnx."""

    def __init__(self, cfg: BertConfig, num_labels: int, dropout: float = 0.0):
        super().__init__()
        self.encoder = BertEncoder(cfg, dropout)
        self.dropout = nn.Dropout(dropout)
        self.linear = nn.Linear(cfg.hidden_size, num_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        return self.linear(self.dropout(self.encoder(input_ids, attention_mask)))

    def load_raner_state(self, encoder_state: Dict[str, torch.Tensor], linear_state: Dict[str, torch.Tensor]) -> None:
        """Loads the encoder (HF names, pooler and other extras ignored) and the emission layer; every
        parameter must be present with the right shape."""
        expected = self.encoder.state_dict()
        missing = sorted(k for k in expected if k not in encoder_state)
        if missing:
            raise ValueError(f"encoder weights missing from the checkpoint: {missing[:5]}{' ...' if len(missing) > 5 else ''}")
        wrong = [f"{k} {tuple(encoder_state[k].shape)} != {tuple(v.shape)}" for k, v in expected.items() if encoder_state[k].shape != v.shape]
        if wrong:
            raise ValueError(f"encoder weights do not fit config.json: {wrong[:5]}")
        self.encoder.load_state_dict({k: encoder_state[k].float() for k in expected}, strict=True)
        for name, param in self.linear.state_dict().items():
            if name not in linear_state:
                raise ValueError(f"emission layer lacks '{name}'")
            if linear_state[name].shape != param.shape:
                raise ValueError(f"emission layer {name} has shape {tuple(linear_state[name].shape)}, expected {tuple(param.shape)}")
        self.linear.load_state_dict({k: v.float() for k, v in linear_state.items() if k in ("weight", "bias")}, strict=True)
