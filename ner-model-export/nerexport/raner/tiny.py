"""Small randomly initialised checkpoints in the exact ModelScope RaNER layout, for offline tests and the
golden files. The real RaNER base model cannot be downloaded here; these have the same files, key names,
label sources and tokenizer settings, only tiny and random.

The vocabulary is a few hundred tokens taken from the bert-base-chinese vocabulary (the one RaNER uses):
the special tokens, common CJK characters, punctuation, lower-case Latin words and ``##`` pieces, digits.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import torch

from nerexport.raner.bert import BertConfig, RanerEmissionModel
from nerexport.raner.safetensors_io import save_safetensors

# The label order documented for damo/nlp_raner_named-entity-recognition_chinese-base-news.
RANER_NEWS_LABELS = ["O", "B-LOC", "S-LOC", "B-ORG", "S-ORG", "B-PER", "S-PER", "I-LOC", "E-LOC", "I-ORG", "E-ORG", "I-PER", "E-PER"]

_CJK = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    "十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相"
    "全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果"
    "料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则"
    "任取据处北京海杭州深圳广南武汉津庆香港台湾美英德韩俄张王李刘陈杨黄赵周吴徐孙马朱胡郭何林罗郑梁谢宋唐许冯邓曹彭曾肖田董袁潘蒋蔡"
    "余杜叶苏魏吕丁沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃戴莫孔汤习近克华腾讯阿巴集"
    "团银司医院府委市省县镇村河湖岛门场街楼站局厅报"
)
_PUNCTUATION = list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("，。！？、：；（）《》“”…")
_LATIN = ["apple", "ceo", "iphone", "##15", "##s", "the", "of", "a", "b", "c", "##4", "10", "1", "2", "3", "##0", "##1",
          "new", "york", "##er", "x", "##x", "cafe", "mr", "ok", "we", "##chat", "jing", "##5", "20", "##20", "##24", "##ing"]


def tiny_vocab() -> List[str]:
    """The tiny vocabulary in id order: specials first, as in bert-base-chinese."""
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] + _PUNCTUATION + _LATIN + list(dict.fromkeys(_CJK))
    assert len(set(tokens)) == len(tokens)
    return tokens


def tiny_config(vocab_size: int, hidden: int = 32, layers: int = 2, heads: int = 2, max_positions: int = 128) -> BertConfig:
    return BertConfig(
        vocab_size=vocab_size,
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 2,
        max_position_embeddings=max_positions,
    )


def random_raner_state(
    cfg: BertConfig,
    labels: Sequence[str],
    seed: int,
    emission_scale: float = 0.5,
    crf_scale: float = 1.0,
    layer_scale: float = 0.2,
    o_bias: float = 1.0,
) -> Dict[str, torch.Tensor]:
    """Random weights, under the module's own names (``encoder.*``, ``linear.*``) plus ``crf.*``.

    BERT's usual init (std 0.02) makes a random model nearly context-free with flat emissions; larger
    scales make attention mix positions (so padding invariance is really exercised). The hidden states of
    a random encoder share a large common component, which would make one tag win everywhere: the
    emission bias is therefore centred on random rows, then ``O`` gets ``o_bias`` extra, so that decoding
    yields a mix of ``O`` and entities of several types.
    """
    num_labels = len(labels)
    generator = torch.Generator().manual_seed(seed)
    model = RanerEmissionModel(cfg, num_labels)
    state = {}
    for name, param in model.state_dict().items():
        if "LayerNorm" in name:
            value = 1.0 + 0.1 * torch.randn(param.shape, generator=generator) if name.endswith("weight") else 0.1 * torch.randn(param.shape, generator=generator)
        elif name.startswith("linear."):
            value = emission_scale * torch.randn(param.shape, generator=generator)
        elif "embeddings" in name:
            value = torch.randn(param.shape, generator=generator)
        else:
            value = layer_scale * torch.randn(param.shape, generator=generator)
        state[name] = value.to(torch.float32)
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        ids = torch.randint(0, cfg.vocab_size, (8, min(24, cfg.max_position_embeddings)), generator=generator)
        mean_emission = model(ids, torch.ones_like(ids)).mean(dim=(0, 1))
    state["linear.bias"] = state["linear.bias"] - mean_emission
    if "O" in labels:
        state["linear.bias"][list(labels).index("O")] += o_bias
    # A pooler, as real checkpoints have: the exporter must ignore it.
    state["encoder.pooler.dense.weight"] = 0.02 * torch.randn((cfg.hidden_size, cfg.hidden_size), generator=generator)
    state["encoder.pooler.dense.bias"] = torch.zeros(cfg.hidden_size)
    for name, shape in (("start_transitions", (num_labels,)), ("end_transitions", (num_labels,)), ("transitions", (num_labels, num_labels))):
        state[f"crf.{name}"] = crf_scale * (2 * torch.rand(shape, generator=generator) - 1)
    return state


def write_tiny_checkpoint(
    out_dir,
    *,
    seed: int = 0,
    layout: str = "flat",
    weights: str = "bin",
    label_source: str = "label_mapping",
    labels: Sequence[str] = RANER_NEWS_LABELS,
    lowercase: Optional[bool] = True,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    max_positions: int = 128,
    emission_scale: float = 0.5,
    crf_scale: float = 1.0,
    o_bias: float = 1.0,
    tf_layer_norm_names: bool = False,
) -> Path:
    """Writes a RaNER checkpoint directory as ModelScope users download it.

    layout: ``flat`` (``encoder.*``, ``linear.*``, ``crf.*``) or ``head`` (``head.linear.*``, ``head.crf.*``).
    weights: ``bin`` (pytorch_model.bin) or ``safetensors`` (model.safetensors).
    label_source: ``label_mapping`` (label_mapping.json), ``configuration`` (configuration.json
    model.label2id), ``configuration_id2label`` (preprocessor.id2label) or ``config`` (config.json id2label).
    lowercase: written to tokenizer_config.json; ``None`` writes no tokenizer_config.json.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    vocab = tiny_vocab()
    cfg = tiny_config(len(vocab), hidden, layers, heads, max_positions)
    state = random_raner_state(cfg, labels, seed, emission_scale, crf_scale, o_bias=o_bias)
    renamed = {}
    for key, value in state.items():
        if layout == "head" and not key.startswith("encoder."):
            key = "head." + key
        elif layout != "flat" and layout != "head":
            raise ValueError(f"unknown layout {layout}")
        if tf_layer_norm_names and "LayerNorm" in key:
            key = key.replace("LayerNorm.weight", "LayerNorm.gamma").replace("LayerNorm.bias", "LayerNorm.beta")
        renamed[key] = value
    if weights == "bin":
        torch.save(renamed, out / "pytorch_model.bin")
    elif weights == "safetensors":
        save_safetensors(renamed, out / "model.safetensors", metadata={"format": "pt"})
    else:
        raise ValueError(f"unknown weights format {weights}")

    (out / "vocab.txt").write_text("\n".join(vocab) + "\n", encoding="utf-8")
    # label2id written in a shuffled order: the exporter must order labels by id, not by key order.
    shuffled = list(enumerate(labels))
    random.Random(seed).shuffle(shuffled)
    label2id = {label: i for i, label in shuffled}
    id2label = {str(i): label for i, label in shuffled}

    config = cfg.to_json()
    config.update({"model_type": "bert", "architectures": ["BertModel"], "pad_token_id": 0})
    configuration = {
        "framework": "pytorch",
        "task": "named-entity-recognition",
        "model": {"type": "transformer-crf"},
        "pipeline": {"type": "named-entity-recognition"},
        "preprocessor": {"type": "sequence-labeling-tokenizer"},
    }
    if label_source == "label_mapping":
        (out / "label_mapping.json").write_text(json.dumps(label2id, ensure_ascii=False), encoding="utf-8")
    elif label_source == "configuration":
        configuration["model"]["label2id"] = label2id
    elif label_source == "configuration_id2label":
        configuration["preprocessor"]["id2label"] = id2label
    elif label_source == "config":
        config["id2label"] = id2label
    else:
        raise ValueError(f"unknown label source {label_source}")
    (out / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
    (out / "configuration.json").write_text(json.dumps(configuration, indent=2, ensure_ascii=False), encoding="utf-8")
    if lowercase is not None:
        (out / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": lowercase}), encoding="utf-8")
    return out
