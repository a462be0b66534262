"""Tests of the compact default model's recipe (nerexport.compact) on tiny generated data.

Nothing here reads the shared data folder: corpora, vocabulary and a fake LAC-small file set are generated in
temporary directories. The real LAC-small files (Debian python3-jieba, installed by .ci/run) are also read
when present, to prove the loader and the GRU conversion on the real weights.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from conftest import MSRA_SENTENCES, write_four_sets
from nerexport import bundle as B
from nerexport.compact import lac as L
from nerexport.compact import train as T
from nerexport.compact.export import GOLDEN_TEXTS, check_graph, load_checkpoint
from nerexport.compact.model import BiGRULayer, CompactTagger
from nerexport.compact.onnx_graph import build_onnx, run_graph
from nerexport.lexicon import table as LT
from nerexport.decoding import viterbi
from nerexport.tokenization import BertWordPieceTokenizer, pad_rows
from nerexport.training import data as D

# ---- generated data -----------------------------------------------------------------------------------


def lod_tensor(array: np.ndarray) -> bytes:
    """A Paddle LoDTensor file: versions, lod level 0, TensorDesc{data_type=FP32, dims}, raw float32."""
    desc = bytes([0x08, 5])
    for d in array.shape:
        desc += bytes([0x10]) + _varint(d)
    return struct.pack("<IQIi", 0, 0, 0, len(desc)) + desc + array.astype("<f4").tobytes()


def _varint(value: int) -> bytes:
    out = b""
    while True:
        b, value = value & 0x7F, value >> 7
        out += bytes([b | (0x80 if value else 0)])
        if not value:
            return out


def write_fake_lac(folder: Path, chars, hidden=128, dim=128, seed=0) -> dict:
    """A LAC-small-format file set with random weights (same names and layouts as the real one)."""
    rng = np.random.default_rng(seed)
    base = folder / "model_baseline"
    base.mkdir(parents=True)
    tensors = {"word_emb": rng.normal(0, 0.3, (len(chars) + 1, dim))}
    for k in range(4):
        inp = dim if k < 2 else 2 * hidden
        tensors[f"fc_{k}.w_0"] = rng.normal(0, 0.2, (inp, 3 * hidden))
        tensors[f"fc_{k}.b_0"] = rng.normal(0, 0.2, (3 * hidden,))
        tensors[f"gru_{k}.w_0"] = rng.normal(0, 0.2, (hidden, 3 * hidden))
        tensors[f"gru_{k}.b_0"] = rng.normal(0, 0.2, (1, 3 * hidden))
    for name, value in tensors.items():
        (base / name).write_bytes(lod_tensor(np.asarray(value, dtype=np.float32)))
    (folder / "word.dic").write_text("".join(f"{i}\t{c}\n" for i, c in enumerate(chars)) + f"{len(chars)}\tOOV\n",
                                     encoding="utf-8")
    return {k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}


@pytest.fixture()
def data_dir(tmp_path) -> Path:
    return write_four_sets(tmp_path / "data", extra_chars="".join(GOLDEN_TEXTS))


# ---- LAC-small --------------------------------------------------------------------------------------------


def paddle_gru(x3, w, b, reverse):
    """LAC's GRU written from the Paddle formula (weights [D x 2D (u|r)] then [D x D c]), for one sequence."""
    hidden = w.shape[0]
    flat = w.reshape(-1)
    w_ur, w_c = flat[: 2 * hidden * hidden].reshape(hidden, 2 * hidden), flat[2 * hidden * hidden :].reshape(hidden, hidden)
    b = b.reshape(-1)
    h = np.zeros(hidden)
    out = np.zeros((len(x3), hidden))
    for t in (range(len(x3) - 1, -1, -1) if reverse else range(len(x3))):
        ur = 1 / (1 + np.exp(-(x3[t, : 2 * hidden] + h @ w_ur + b[: 2 * hidden])))
        u, r = ur[:hidden], ur[hidden:]
        c = np.tanh(x3[t, 2 * hidden :] + (r * h) @ w_c + b[2 * hidden :])
        h = (1 - u) * h + u * c
        out[t] = h
    return out


def test_fake_lac_files_load_into_the_paddle_gru_formula(tmp_path):
    raw = write_fake_lac(tmp_path / "lac", ["李", "明", "北", "京"], hidden=8, dim=6)
    lac = L.load_lac(tmp_path / "lac")
    np.testing.assert_array_equal(lac["emb"], raw["word_emb"])
    assert lac["vocab"] == {"李": 0, "明": 1, "北": 2, "京": 3, "OOV": 4}
    layer = BiGRULayer(6, 8)
    with torch.no_grad():
        for p, value in zip((layer.W, layer.R, layer.B), lac["layers"][0]):
            p.copy_(torch.from_numpy(value))
    x = np.random.default_rng(1).normal(size=(5, 6)).astype(np.float32)
    got = layer(torch.from_numpy(x)[None], torch.tensor([5]))[0].detach().numpy()
    fwd = paddle_gru(x @ raw["fc_0.w_0"] + raw["fc_0.b_0"], raw["gru_0.w_0"], raw["gru_0.b_0"], reverse=False)
    bwd = paddle_gru(x @ raw["fc_1.w_0"] + raw["fc_1.b_0"], raw["gru_1.w_0"], raw["gru_1.b_0"], reverse=True)
    np.testing.assert_allclose(got, np.concatenate([fwd, bwd], axis=1), atol=1e-5)


def test_lod_tensor_reader_refuses_a_truncated_file(tmp_path):
    path = tmp_path / "t"
    path.write_bytes(lod_tensor(np.zeros((3, 4), dtype=np.float32))[:-4])
    with pytest.raises(ValueError, match="data bytes"):
        L.read_lod_tensor(path)


def test_bert_embeddings_reindex_lac_rows():
    emb = np.arange(12, dtype=np.float32).reshape(4, 3)
    out, matched = L.bert_embeddings(emb, {"北": 0, "京": 1, "A": 2}, {"[PAD]": 0, "[UNK]": 1, "京": 2, "a": 3, "北京": 4, "##京": 5}, 0)
    np.testing.assert_array_equal(out[2], emb[1])
    np.testing.assert_array_equal(out[3], emb[2])  # lower-cased BERT token finds LAC's upper-case row
    np.testing.assert_array_equal(out[4], (emb[0] + emb[1]) / 2)
    np.testing.assert_array_equal(out[5], emb[1])
    np.testing.assert_array_equal(out[0], 0)
    assert matched == 4


REAL_LAC = L.default_lac_dir()


@pytest.mark.skipif(REAL_LAC is None, reason="python3-jieba (LAC-small) is not installed")
def test_real_lac_small_recognises_entities_zero_shot_through_the_converted_layers():
    """LAC's own emission layer and CRF on top of our converted embeddings/GRUs must tag a plain sentence
    as LAC does: this fails if any layout (GRU buffer split, gate order, sign of z, direction) is wrong."""
    lac = L.load_lac(REAL_LAC)
    base = REAL_LAC / "model_baseline"
    vocab = {c: i for c, i in lac["vocab"].items()}
    model = CompactTagger(len(lac["emb"]), 57, bigram_buckets=7).eval()
    model.init_from_lac(lac["emb"], lac["layers"])
    with torch.no_grad():
        model.gru1.W[:, :, 128:] = 0
        model.emit_w.copy_(torch.from_numpy(L.read_lod_tensor(base / "fc_4.w_0")))
        model.emit_b.copy_(torch.from_numpy(L.read_lod_tensor(base / "fc_4.b_0").reshape(-1)))
    tags = [line.split("\t")[1].strip() for line in open(REAL_LAC / "tag.dic", encoding="utf-8") if line.strip()]
    crf = L.read_lod_tensor(base / "crfw")
    text = "李克强昨天在北京会见了微软公司总裁。"
    ids = torch.tensor([[vocab.get(c, L.LAC_OOV_ID) for c in text]])
    with torch.no_grad():
        emissions = model(ids, torch.ones_like(ids))[0].numpy()
    got = [tags[i] for i in viterbi(emissions, crf[0], crf[1], crf[2:])]
    assert got[:3] == ["PER-B", "PER-I", "PER-I"]
    assert got[6:8] == ["LOC-B", "LOC-I"]
    assert got[11:15] == ["ORG-B", "ORG-I", "ORG-I", "ORG-I"]


# ---- the graph -----------------------------------------------------------------------------------------


def small_model(seed=0, bigram_dim=4, lexicon=False) -> CompactTagger:
    torch.manual_seed(seed)
    table = LT.build_table({(10, 20): 1 << 1, (5, 6, 7): 1 << 2, (40,): 1 << 0, (6, 7, 8, 9, 11): 1 << 5}) if lexicon else None
    model = CompactTagger(200, len(D.LABELS), char_dim=8, bigram_buckets=53, bigram_dim=bigram_dim, hidden=6,
                          lexicon_size=table.size if table else 0, lexicon_max_pieces=table.max_pieces if table else 0,
                          cls_id=2, sep_id=3).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    if table is not None:
        model.set_lexicon(table)
    return model


@pytest.mark.parametrize("bigram_dim,lexicon", [(4, False), (0, False), (0, True), (4, True)],
                         ids=["with bigrams", "characters only", "with the dictionary", "bigrams and dictionary"])
def test_graph_equals_pytorch_and_is_padding_invariant(bigram_dim, lexicon):
    model = small_model(bigram_dim=bigram_dim, lexicon=lexicon)
    graph = build_onnx(model)
    rows = [[2, 10, 20, 30, 3], [2, 40, 3], [2, 5, 6, 7, 8, 9, 11, 3], [2, 199, 3]]
    checks = check_graph(model, graph, rows)
    assert checks["torch_vs_graph"] <= 1e-5
    # padding with ids other than [PAD] (mask 0) must not matter either
    ids, mask = pad_rows(rows, 0, 12)
    ids = np.asarray(ids)
    mask = np.asarray(mask)
    noisy = np.where(mask == 1, ids, 77)
    a, b = run_graph(graph, ids, mask), run_graph(graph, noisy, mask)
    for i, r in enumerate(rows):
        np.testing.assert_allclose(a[i, : len(r)], b[i, : len(r)], atol=1e-6)
    B.check_onnx_interface(graph, len(D.LABELS))


def test_the_dictionary_changes_the_emissions_of_the_words_it_knows():
    model = small_model(bigram_dim=0, lexicon=True)
    ids = torch.tensor([[2, 10, 20, 30, 3]])
    with torch.no_grad():
        with_dictionary = model(ids, torch.ones_like(ids))
        model.lexicon_keys.fill_(-1)  # an empty table
        without = model(ids, torch.ones_like(ids))
    assert (with_dictionary - without).abs().max() > 1e-3


def test_a_model_that_reads_padding_fails_the_check():
    model = small_model()
    graph = build_onnx(model)

    def leaky(ids, mask):  # the reverse GRU run over the whole padded row, as an unmasked export would
        return run_graph(graph, ids, np.ones_like(mask))

    with pytest.raises(B.BundleError, match="padding"):
        B.check_padding_invariance(leaky, [[2, 10, 20, 3], [2, 40, 3]], pad_id=0)


# ---- the recipe end to end ---------------------------------------------------------------------------------


def test_recipe_trains_on_the_four_sets_and_exports_a_valid_bundle_and_golden_file(data_dir, tmp_path, capsys):
    chars = sorted({c for text, _ in MSRA_SENTENCES for c in text})
    write_fake_lac(tmp_path / "lac", chars)
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("北京 300 ns\n微软公司 20 nt\n李明 3 nr\n上海 200 ns\n工作 5000 vn\n", encoding="utf-8")
    out, golden = tmp_path / "bundle", tmp_path / "golden" / "golden.json"
    argv = ["--data", str(data_dir), "--out", str(out), "--golden", str(golden), "--seed", "13", "--epochs", "2",
            "--dev-size", "6", "--cluener-dev-size", "2", "--bigram-buckets", "101", "--lac-dir", str(tmp_path / "lac"),
            "--work-dir", str(tmp_path / "work"), "--latency-sentences", "3", "--lr", "1e-2",
            "--mix", "msra=1,cluener=1,weibo=2,resume=0.5", "--lexicon", str(dictionary)]
    assert T.main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == ["model.onnx", "ner-model.json", "tokenizer.json"]
    meta = B.read_bundle_meta(out)
    assert meta["labels"] == D.LABELS and meta["scheme"] == "BIOES" and meta["architecture"] == "bigru-crf"
    provenance = meta["provenance"]
    assert provenance["seed"] == 13
    assert provenance["data"]["train"]["msra"] == f"{len(MSRA_SENTENCES) * 4 - 6} sentences, weight 1.0"
    assert provenance["data"]["train"]["weibo"].endswith("weight 2.0") and set(provenance["data"]["dev"]) == set(D.DATASETS)
    assert provenance["lexicon"]["source"] == str(dictionary) and provenance["model"]["lexicon_size"] > 0
    assert "dictionary" in meta["description"]
    evaluation = meta["evaluation"]
    assert set(evaluation["sets"]) == set(D.DATASETS)
    for name, record in evaluation["sets"].items():
        assert set(record["scores"]) == {"PER", "LOC", "ORG", "overall"}
        exposure = record["recallByExposure"]
        assert exposure["seen"]["gold"] + exposure["unseen"]["gold"] == record["scores"]["overall"]["gold"]
    assert evaluation["latency_single_sentence_pytorch_cpu"]["sentences"] == 3
    history = provenance["training"]["history"]
    assert len(history) == 2 and set(history[0]["dev"]) == set(D.DATASETS) and "dev_mean_f1" in history[0]

    # the written graph reproduces the saved PyTorch model on a padded batch, and the golden emissions
    model, _ = load_checkpoint(tmp_path / "work" / "final.pt")
    graph = (out / "model.onnx").read_bytes()
    cases = json.loads(golden.read_text(encoding="utf-8"))["cases"]
    assert [c["text"] for c in cases] == GOLDEN_TEXTS
    rows = [c["input_ids"] for c in cases[:3]]
    check_graph(model, graph, rows)
    ids, mask = pad_rows(rows, 0)
    emissions = run_graph(graph, np.asarray(ids), np.asarray(mask))
    for i, case in enumerate(cases[:3]):
        np.testing.assert_allclose(emissions[i, : len(case["input_ids"])], case["emissions"], atol=1e-4)

    # the evaluation command reports every set and type, the size and the latency of the saved model
    from nerexport import evaluate

    common = ["--data", str(data_dir), "--dev-size", "6", "--cluener-dev-size", "2"]
    assert evaluate.main(["--checkpoint", str(tmp_path / "work" / "final.pt"), *common, "--latency-sentences", "2"]) == 0
    printed = capsys.readouterr().out
    for word in ("msra dev", "cluener dev", "weibo dev", "resume dev", "PER", "LOC", "ORG", "overall", "seen in training",
                 "unseen in training", "errors: missed", "spurious", "parameters:", "median", "mean F1 over the 4 dev sets"):
        assert word in printed

    # the bundle as written scores what the recipe recorded for it
    assert evaluate.main(["--bundle", str(out), *common, "--runtime", "numpy", "--training-fit", "3"]) == 0
    printed = capsys.readouterr().out
    for name, record in evaluation["sets"].items():
        overall = record["scores"]["overall"]
        section = printed.split(f"{name} dev (")[1].split(" dev (")[0]
        assert f"{'overall':8} {overall['precision']:7.4f} {overall['recall']:7.4f} {overall['f1']:7.4f}" in section
    assert "median" not in printed
    assert "msra training part, first 3 sentences: P" in printed and "resume training part, last 3 sentences: P" in printed

    # the model card's tables come from the bundle's own figures
    from nerexport import card

    assert card.main([str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"| raner-compact-zh {meta['version']} |" in printed
    assert f"**{evaluation['meanF1']:.4f}**" in printed
    for name, record in evaluation["sets"].items():
        assert f"| {name} | " in printed and f"**{record['scores']['overall']['f1']:.3f}**" in printed
