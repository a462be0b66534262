"""Reading RaNER checkpoints: both key layouts, bin and safetensors, label sources, clear errors."""

import json
import math

import numpy as np
import pytest
import torch

from nerexport.raner.bert import BertConfig, RanerEmissionModel
from nerexport.raner.checkpoint import LAYOUT_FLAT, LAYOUT_HEAD, CheckpointError, read_checkpoint
from nerexport.raner.safetensors_io import SafetensorsError, load_safetensors, save_safetensors
from nerexport.raner.tiny import RANER_NEWS_LABELS, write_tiny_checkpoint


@pytest.mark.parametrize("layout, expected_layout", [("flat", LAYOUT_FLAT), ("head", LAYOUT_HEAD)])
@pytest.mark.parametrize("weights", ["bin", "safetensors"])
def test_both_layouts_and_weight_formats_read_the_same_parameters(tmp_path, layout, expected_layout, weights):
    reference = read_checkpoint(write_tiny_checkpoint(tmp_path / "ref", seed=3))
    ckpt = read_checkpoint(write_tiny_checkpoint(tmp_path / "c", seed=3, layout=layout, weights=weights))
    assert ckpt.layout == expected_layout
    assert ckpt.weights_path.name == ("pytorch_model.bin" if weights == "bin" else "model.safetensors")
    assert ckpt.labels == RANER_NEWS_LABELS
    for name in ("start_transitions", "end_transitions", "transitions"):
        assert torch.equal(ckpt.crf[name], reference.crf[name])
    assert torch.equal(ckpt.linear_state["weight"], reference.linear_state["weight"])
    assert set(ckpt.encoder_state) == set(reference.encoder_state)
    assert "pooler.dense.weight" in ckpt.encoder_state  # present, and ignored by the model


@pytest.mark.parametrize("source, expected", [
    ("label_mapping", "label_mapping.json"),
    ("configuration", "configuration.json model.label2id"),
    ("configuration_id2label", "configuration.json preprocessor.id2label"),
    ("config", "config.json id2label"),
])
def test_label_order_comes_from_ids_in_each_source(tmp_path, source, expected):
    # The tiny writer shuffles the mapping's key order; the reader must order by id.
    ckpt = read_checkpoint(write_tiny_checkpoint(tmp_path, label_source=source))
    assert ckpt.labels == RANER_NEWS_LABELS
    assert ckpt.label_source == expected


def test_label_mapping_json_wins_over_configuration_json(tmp_path):
    d = write_tiny_checkpoint(tmp_path, label_source="configuration")
    other = list(reversed(RANER_NEWS_LABELS))
    (d / "label_mapping.json").write_text(json.dumps({l: i for i, l in enumerate(other)}), encoding="utf-8")
    assert read_checkpoint(d).labels == other


def test_an_adaseq_style_label_order_is_kept_as_given(tmp_path):
    labels = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "B-ORG", "I-ORG", "E-ORG", "S-ORG", "B-LOC", "I-LOC", "E-LOC", "S-LOC"]
    assert read_checkpoint(write_tiny_checkpoint(tmp_path, labels=labels)).labels == labels


def test_lowercase_from_tokenizer_config_or_bert_default(tmp_path):
    assert read_checkpoint(write_tiny_checkpoint(tmp_path / "a", lowercase=False)).lowercase is False
    default = read_checkpoint(write_tiny_checkpoint(tmp_path / "b", lowercase=None))
    assert default.lowercase is True and "default" in default.lowercase_source


def test_tf_layer_norm_names_are_renamed(tmp_path):
    ckpt = read_checkpoint(write_tiny_checkpoint(tmp_path, tf_layer_norm_names=True))
    assert "embeddings.LayerNorm.weight" in ckpt.encoder_state


# ---- errors --------------------------------------------------------------------------------------


def test_missing_directory_and_a_file(tmp_path):
    with pytest.raises(CheckpointError, match="does not exist"):
        read_checkpoint(tmp_path / "nope")
    (tmp_path / "f").write_text("x")
    with pytest.raises(CheckpointError, match="not a directory"):
        read_checkpoint(tmp_path / "f")


def test_a_directory_that_is_not_a_checkpoint(tmp_path):
    (tmp_path / "README.md").write_text("hello")
    with pytest.raises(CheckpointError, match="not a ModelScope RaNER checkpoint"):
        read_checkpoint(tmp_path)


@pytest.mark.parametrize("name", ["vocab.txt", "config.json", "configuration.json"])
def test_a_missing_file_is_named(tmp_path, name):
    d = write_tiny_checkpoint(tmp_path)
    (d / name).unlink()
    with pytest.raises(CheckpointError, match=f"missing file {name}"):
        read_checkpoint(d)


def test_missing_weights(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    (d / "pytorch_model.bin").unlink()
    with pytest.raises(CheckpointError, match="missing weights"):
        read_checkpoint(d)


def set_model_type(d, model_type):
    configuration = json.loads((d / "configuration.json").read_text())
    configuration["model"]["type"] = model_type
    (d / "configuration.json").write_text(json.dumps(configuration))


def test_another_model_without_a_crf_is_not_raner(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    set_model_type(d, "text-classification")
    state = {k: v for k, v in torch.load(d / "pytorch_model.bin").items() if not k.startswith("crf.")}
    torch.save(state, d / "pytorch_model.bin")
    with pytest.raises(CheckpointError, match="not a RaNER transformer-crf checkpoint: configuration.json model.type is 'text-classification'"):
        read_checkpoint(d)


def test_an_unexpected_model_type_with_raner_weights_is_read_with_a_warning(tmp_path):
    # The model.type name is inferred, not documented: the weights decide.
    d = write_tiny_checkpoint(tmp_path)
    set_model_type(d, "sequence-labeling-model")
    ckpt = read_checkpoint(d)
    assert ckpt.labels == RANER_NEWS_LABELS
    assert ckpt.warnings and "sequence-labeling-model" in ckpt.warnings[0]
    assert read_checkpoint(write_tiny_checkpoint(tmp_path / "ok")).warnings == []


def test_unknown_key_layout(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    state = torch.load(d / "pytorch_model.bin")
    state = {k.replace("crf.", "decoder.crf_layer."): v for k, v in state.items()}
    torch.save(state, d / "pytorch_model.bin")
    with pytest.raises(CheckpointError, match="unknown checkpoint layout.*decoder.crf_layer"):
        read_checkpoint(d)


def test_labels_that_do_not_fit_the_emission_layer(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    (d / "label_mapping.json").write_text(json.dumps({"O": 0, "S-PER": 1}))
    with pytest.raises(CheckpointError, match="2 labels"):
        read_checkpoint(d)


def test_label_ids_with_a_gap(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    (d / "label_mapping.json").write_text(json.dumps({"O": 0, "S-PER": 2}))
    with pytest.raises(CheckpointError, match="label ids must be 0..1"):
        read_checkpoint(d)


def test_no_label_source(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    (d / "label_mapping.json").unlink()
    with pytest.raises(CheckpointError, match="no label order found"):
        read_checkpoint(d)


def test_invalid_json_and_corrupt_weights(tmp_path):
    d = write_tiny_checkpoint(tmp_path / "a")
    (d / "config.json").write_text("{not json")
    with pytest.raises(CheckpointError, match="config.json is not valid JSON"):
        read_checkpoint(d)
    d = write_tiny_checkpoint(tmp_path / "b")
    (d / "pytorch_model.bin").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="cannot be read as a PyTorch state dict"):
        read_checkpoint(d)
    d = write_tiny_checkpoint(tmp_path / "c", weights="safetensors")
    data = (d / "model.safetensors").read_bytes()
    (d / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="outside the file"):
        read_checkpoint(d)


def test_weights_that_do_not_fit_config_json(tmp_path):
    d = write_tiny_checkpoint(tmp_path)
    config = json.loads((d / "config.json").read_text())
    config["intermediate_size"] = 48
    (d / "config.json").write_text(json.dumps(config))
    ckpt = read_checkpoint(d)
    with pytest.raises(ValueError, match="do not fit config.json"):
        RanerEmissionModel(ckpt.config, len(ckpt.labels)).load_raner_state(ckpt.encoder_state, ckpt.linear_state)


def test_unsupported_bert_settings_are_refused():
    base = dict(vocab_size=10, hidden_size=8, num_hidden_layers=1, num_attention_heads=2, intermediate_size=16, max_position_embeddings=16)
    with pytest.raises(ValueError, match="position_embedding_type"):
        BertConfig.from_json(dict(base, position_embedding_type="relative_key"))
    with pytest.raises(ValueError, match="not a BERT config"):
        BertConfig.from_json({"hidden_size": 8})
    with pytest.raises(ValueError, match="multiple"):
        BertConfig.from_json(dict(base, num_attention_heads=3))


# ---- safetensors ---------------------------------------------------------------------------------


def test_safetensors_round_trip_of_every_dtype(tmp_path):
    tensors = {
        "f32": torch.randn(2, 3),
        "f16": torch.randn(4).half(),
        "bf16": torch.randn(3, 1).bfloat16(),
        "i64": torch.arange(5),
        "u8": torch.tensor([1, 255], dtype=torch.uint8),
        "b": torch.tensor([True, False]),
        "scalar": torch.tensor(2.5),
    }
    save_safetensors(tensors, tmp_path / "t.safetensors", {"format": "pt"})
    loaded = load_safetensors(tmp_path / "t.safetensors")
    assert set(loaded) == set(tensors)
    for k, v in tensors.items():
        assert loaded[k].dtype == v.dtype and torch.equal(loaded[k], v), k


def test_safetensors_bad_header(tmp_path):
    (tmp_path / "x.safetensors").write_bytes((10**12).to_bytes(8, "little") + b"{}")
    with pytest.raises(SafetensorsError, match="header length"):
        load_safetensors(tmp_path / "x.safetensors")


# ---- the forward itself --------------------------------------------------------------------------


def numpy_bert_row(state, cfg, ids):
    """An independent, row-at-a-time NumPy BERT (post-LayerNorm, erf GELU) for one unpadded row."""
    s = {k: v.double().numpy() for k, v in state.items()}

    def ln(x, p):
        mu, var = x.mean(-1, keepdims=True), x.var(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + cfg.layer_norm_eps) * s[p + ".weight"] + s[p + ".bias"]

    def dense(x, p):
        return x @ s[p + ".weight"].T + s[p + ".bias"]

    gelu = np.vectorize(lambda v: 0.5 * v * (1 + math.erf(v / math.sqrt(2))))
    n = len(ids)
    x = s["embeddings.word_embeddings.weight"][ids] + s["embeddings.position_embeddings.weight"][:n] + s["embeddings.token_type_embeddings.weight"][0]
    x = ln(x, "embeddings.LayerNorm")
    heads, size = cfg.num_attention_heads, cfg.hidden_size // cfg.num_attention_heads
    for i in range(cfg.num_hidden_layers):
        p = f"encoder.layer.{i}."
        q, k, v = (dense(x, p + f"attention.self.{m}") for m in ("query", "key", "value"))
        out = np.zeros_like(x)
        for h in range(heads):
            sl = slice(h * size, (h + 1) * size)
            scores = q[:, sl] @ k[:, sl].T / math.sqrt(size)
            w = np.exp(scores - scores.max(-1, keepdims=True))
            out[:, sl] = (w / w.sum(-1, keepdims=True)) @ v[:, sl]
        x = ln(dense(out, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        x = ln(dense(gelu(dense(x, p + "intermediate.dense")), p + "output.dense") + x, p + "output.LayerNorm")
    return x


def test_torch_forward_matches_an_independent_numpy_bert_and_ignores_padding(tmp_path):
    ckpt = read_checkpoint(write_tiny_checkpoint(tmp_path, seed=5))
    model = RanerEmissionModel(ckpt.config, len(ckpt.labels))
    model.load_raner_state(ckpt.encoder_state, ckpt.linear_state)
    model.eval()
    rows = [[2, 300, 301, 302, 3], [2, 400, 3]]
    ids = torch.tensor([rows[0], rows[1] + [0, 0]])
    mask = torch.tensor([[1] * 5, [1] * 3 + [0] * 2])
    with torch.no_grad():
        emissions = model(ids, mask).double().numpy()
    for b, row in enumerate(rows):
        hidden = numpy_bert_row(ckpt.encoder_state, ckpt.config, row)
        expected = hidden @ ckpt.linear_state["weight"].double().numpy().T + ckpt.linear_state["bias"].double().numpy()
        np.testing.assert_allclose(emissions[b, : len(row)], expected, atol=1e-4)
    # attention really mixes positions: changing one token changes the others' emissions
    with torch.no_grad():
        changed = model(torch.tensor([[2, 300, 301, 303, 3]]), torch.ones(1, 5, dtype=torch.int64)).double().numpy()
    assert np.abs(changed[0, 1] - emissions[0, 1]).max() > 1e-3
