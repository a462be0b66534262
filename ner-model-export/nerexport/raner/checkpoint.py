"""Reading a ModelScope RaNER checkpoint directory as users download it.

Expected files: ``configuration.json`` (ModelScope), ``config.json`` (HF BERT config), ``vocab.txt``, the
weights as ``pytorch_model.bin`` (what ModelScope loads) or ``model.safetensors``; optional
``label_mapping.json`` and ``tokenizer_config.json``.

Facts followed (see the shared raner.md and ModelScope's ``task_model.py`` / ``utils/hub.py``):

* Key layouts: ``encoder.*`` + ``linear.*`` + ``crf.*`` (older checkpoints) or ``encoder.*`` +
  ``head.linear.*`` + ``head.crf.*`` (current ModelScope, which prefixes every non-encoder key with
  ``head.`` when loading). TF-style LayerNorm ``gamma``/``beta`` names are renamed as ModelScope does.
* Label order, first match wins, as ``parse_label_mapping``: ``label_mapping.json``; then
  ``configuration.json`` ``model.label2id``, ``model.id2label``, ``preprocessor.label2id``,
  ``preprocessor.id2label``; then ``config.json`` ``label2id``, ``id2label``. Never assumed.
* Lower-casing: ``tokenizer_config.json`` ``do_lower_case``; without it BERT's tokenizer default, true.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Tuple

import torch

from nerexport.raner.bert import BertConfig
from nerexport.raner.safetensors_io import SafetensorsError, load_safetensors

RANER_MODEL_TYPES = ("transformer-crf",)
WEIGHT_FILES = ("pytorch_model.bin", "model.safetensors")
CRF_NAMES = ("start_transitions", "end_transitions", "transitions")
LAYOUT_FLAT = "encoder.*/linear.*/crf.*"
LAYOUT_HEAD = "encoder.*/head.linear.*/head.crf.*"


class CheckpointError(Exception):
    """A directory that cannot be exported, with a message saying why (shown to the user as is)."""


@dataclass
class RanerCheckpoint:
    directory: Path
    config: BertConfig
    labels: List[str]
    label_source: str
    lowercase: bool
    lowercase_source: str
    vocab_path: Path
    weights_path: Path
    layout: str
    encoder_state: Dict[str, torch.Tensor]
    linear_state: Dict[str, torch.Tensor]
    crf: Dict[str, torch.Tensor]
    configuration: dict = field(default_factory=dict)
    warnings: List[str] = field(default_factory=list)

    def weights_sha256(self) -> str:
        digest = hashlib.sha256()
        with open(self.weights_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()


def _read_json(path: Path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except json.JSONDecodeError as e:
        raise CheckpointError(f"{path.name} is not valid JSON: {e}") from None
    except UnicodeDecodeError:
        raise CheckpointError(f"{path.name} is not UTF-8 text") from None
    if not isinstance(data, dict):
        raise CheckpointError(f"{path.name} must hold a JSON object")
    return data


def _labels_from_label2id(label2id, source: str) -> List[str]:
    if not isinstance(label2id, dict) or not label2id:
        raise CheckpointError(f"{source} must map labels to ids")
    try:
        by_id = {int(i): str(label) for label, i in label2id.items()}
    except (TypeError, ValueError):
        raise CheckpointError(f"{source} holds a non-integer label id") from None
    if len(by_id) != len(label2id) or sorted(by_id) != list(range(len(by_id))):
        raise CheckpointError(f"{source}: label ids must be 0..{len(label2id) - 1}, each once; got {sorted(label2id.values())}")
    return [by_id[i] for i in range(len(by_id))]


def _labels_from_id2label(id2label, source: str) -> List[str]:
    if not isinstance(id2label, dict) or not id2label:
        raise CheckpointError(f"{source} must map ids to labels")
    return _labels_from_label2id({label: i for i, label in id2label.items()}, source)


def read_labels(directory: Path, configuration: dict, config: dict) -> Tuple[List[str], str]:
    """Label list in emission-id order and where it came from, in ModelScope's order of sources."""
    mapping = directory / "label_mapping.json"
    if mapping.exists():
        return _labels_from_label2id(_read_json(mapping), "label_mapping.json"), "label_mapping.json"
    for section in ("model", "preprocessor"):
        block = configuration.get(section)
        if isinstance(block, dict):
            if "label2id" in block:
                source = f"configuration.json {section}.label2id"
                return _labels_from_label2id(block["label2id"], source), source
            if "id2label" in block:
                source = f"configuration.json {section}.id2label"
                return _labels_from_id2label(block["id2label"], source), source
    if "label2id" in config:
        return _labels_from_label2id(config["label2id"], "config.json label2id"), "config.json label2id"
    if "id2label" in config:
        return _labels_from_id2label(config["id2label"], "config.json id2label"), "config.json id2label"
    raise CheckpointError(
        "no label order found: looked for label_mapping.json, configuration.json model/preprocessor "
        "label2id/id2label and config.json label2id/id2label"
    )


def _load_weights(path: Path) -> Dict[str, torch.Tensor]:
    if path.suffix == ".safetensors":
        try:
            return load_safetensors(path)
        except SafetensorsError as e:
            raise CheckpointError(str(e)) from None
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for a corrupt or foreign file
        raise CheckpointError(f"{path.name} cannot be read as a PyTorch state dict: {e}") from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise CheckpointError(f"{path.name} does not hold a state dict of tensors")
    return dict(state)


def _rename_tf_layer_norm(key: str) -> str:
    # As ModelScope's loader: old TF-converted checkpoints name LayerNorm parameters gamma/beta.
    return key.replace("gamma", "weight").replace("beta", "bias")


def split_state(state: Dict[str, torch.Tensor]) -> Tuple[str, Dict, Dict, Dict]:
    """(layout, encoder state without prefix, linear state, CRF parameters) for either key layout."""
    state = {_rename_tf_layer_norm(k): v for k, v in state.items()}
    if all(f"head.crf.{n}" in state for n in CRF_NAMES):
        layout, head = LAYOUT_HEAD, "head."
    elif all(f"crf.{n}" in state for n in CRF_NAMES):
        layout, head = LAYOUT_FLAT, ""
    else:
        others = sorted(k for k in state if not k.startswith("encoder."))[:8]
        raise CheckpointError(
            f"unknown checkpoint layout: expected CRF parameters crf.{{{','.join(CRF_NAMES)}}} or "
            f"head.crf.*; non-encoder keys found: {others or 'none'}"
        )
    linear = {n: state[f"{head}linear.{n}"] for n in ("weight", "bias") if f"{head}linear.{n}" in state}
    if "weight" not in linear or "bias" not in linear:
        raise CheckpointError(f"unknown checkpoint layout: {head}crf.* present but {head}linear.weight/bias missing")
    encoder = {k[len("encoder.") :]: v for k, v in state.items() if k.startswith("encoder.")}
    if "embeddings.word_embeddings.weight" not in encoder:
        raise CheckpointError("unknown checkpoint layout: no encoder.embeddings.word_embeddings.weight (BERT encoder under 'encoder.')")
    crf = {n: state[f"{head}crf.{n}"] for n in CRF_NAMES}
    return layout, encoder, linear, crf


def read_checkpoint(directory) -> RanerCheckpoint:
    """Reads and cross-checks a RaNER checkpoint directory; raises CheckpointError with a clear reason."""
    directory = Path(directory)
    if not directory.exists():
        raise CheckpointError(f"{directory} does not exist")
    if not directory.is_dir():
        raise CheckpointError(f"{directory} is not a directory (give the downloaded checkpoint folder)")
    configuration_path = directory / "configuration.json"
    weights = [directory / name for name in WEIGHT_FILES if (directory / name).is_file()]
    if not configuration_path.is_file() and not weights:
        raise CheckpointError(
            f"{directory} is not a ModelScope RaNER checkpoint: it has no configuration.json and no "
            f"{' or '.join(WEIGHT_FILES)}"
        )
    for name in ("configuration.json", "config.json", "vocab.txt"):
        if not (directory / name).is_file():
            raise CheckpointError(f"{directory}: missing file {name}")
    if not weights:
        raise CheckpointError(f"{directory}: missing weights: neither {' nor '.join(WEIGHT_FILES)}")

    configuration = _read_json(configuration_path)
    model_block = configuration.get("model") if isinstance(configuration.get("model"), dict) else {}
    model_type = model_block.get("type")
    warnings: List[str] = []
    if model_type not in RANER_MODEL_TYPES:
        # Not decisive on its own (the type name is inferred, not documented): the weights decide below.
        warnings.append(f"configuration.json model.type is {model_type!r}, not one of {list(RANER_MODEL_TYPES)}")
    config_json = _read_json(directory / "config.json")
    try:
        config = BertConfig.from_json(config_json)
    except ValueError as e:
        raise CheckpointError(str(e)) from None
    labels, label_source = read_labels(directory, configuration, config_json)

    lowercase, lowercase_source = True, "default (no tokenizer_config.json do_lower_case)"
    tokenizer_config = directory / "tokenizer_config.json"
    if tokenizer_config.is_file():
        value = _read_json(tokenizer_config).get("do_lower_case")
        if value is not None:
            if not isinstance(value, bool):
                raise CheckpointError(f"tokenizer_config.json do_lower_case must be true or false, got {value!r}")
            lowercase, lowercase_source = value, "tokenizer_config.json do_lower_case"

    vocab_path = directory / "vocab.txt"
    with open(vocab_path, encoding="utf-8") as f:
        vocab_lines = sum(1 for _ in f)
    if vocab_lines > config.vocab_size:
        raise CheckpointError(f"vocab.txt has {vocab_lines} entries but config.json vocab_size is {config.vocab_size}")

    weights_path = weights[0]
    try:
        layout, encoder, linear, crf = split_state(_load_weights(weights_path))
    except CheckpointError as e:
        if warnings:
            raise CheckpointError(f"not a RaNER transformer-crf checkpoint: {warnings[0]}, and {e}") from None
        raise
    n = len(labels)
    if tuple(linear["weight"].shape) != (n, config.hidden_size):
        raise CheckpointError(
            f"emission layer is {tuple(linear['weight'].shape)} but {label_source} gives {n} labels and "
            f"config.json hidden_size {config.hidden_size}"
        )
    shapes = {k: tuple(v.shape) for k, v in crf.items()}
    if shapes != {"start_transitions": (n,), "end_transitions": (n,), "transitions": (n, n)}:
        raise CheckpointError(f"CRF parameter shapes {shapes} do not fit {n} labels")
    return RanerCheckpoint(
        directory=directory,
        config=config,
        labels=labels,
        label_source=label_source,
        lowercase=lowercase,
        lowercase_source=lowercase_source,
        vocab_path=vocab_path,
        weights_path=weights_path,
        layout=layout,
        encoder_state=encoder,
        linear_state=linear,
        crf=crf,
        configuration=configuration,
        warnings=warnings,
    )


def write_checkpoint(out_dir, config: BertConfig, state: Dict[str, torch.Tensor], labels: List[str], vocab_path,
                     lowercase: bool, description: str = "") -> Path:
    """Writes a checkpoint directory in RaNER's flat layout, as :func:`read_checkpoint` reads it and
    ModelScope ships it: ``config.json`` (the encoder's sizes), ``configuration.json`` (``transformer-crf``),
    ``vocab.txt``, ``label_mapping.json``, ``tokenizer_config.json`` and ``pytorch_model.bin`` holding
    ``encoder.*``, ``linear.*`` and ``crf.*``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    keys = [k for k in state if not k.startswith(("encoder.", "linear.", "crf."))]
    if keys:
        raise ValueError(f"not RaNER's flat layout: keys {keys[:5]}")
    torch.save({k: v.detach().clone().contiguous() for k, v in state.items()}, out / "pytorch_model.bin")
    (out / "vocab.txt").write_bytes(Path(vocab_path).read_bytes())
    (out / "label_mapping.json").write_text(json.dumps({label: i for i, label in enumerate(labels)}, ensure_ascii=False), encoding="utf-8")
    bert = dict(config.to_json(), model_type="bert", architectures=["BertModel"], pad_token_id=0)
    (out / "config.json").write_text(json.dumps(bert, indent=2), encoding="utf-8")
    configuration = {
        "framework": "pytorch",
        "task": "named-entity-recognition",
        "model": {"type": "transformer-crf", "description": description} if description else {"type": "transformer-crf"},
        "pipeline": {"type": "named-entity-recognition"},
        "preprocessor": {"type": "sequence-labeling-tokenizer"},
    }
    (out / "configuration.json").write_text(json.dumps(configuration, indent=2, ensure_ascii=False), encoding="utf-8")
    (out / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": lowercase}), encoding="utf-8")
    return out
