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

from nerexport import bundle as B
from nerexport.compact import data as D
from nerexport.compact import lac as L
from nerexport.compact import train as T
from nerexport.compact.export import GOLDEN_TEXTS, check_graph, load_checkpoint
from nerexport.compact.model import BiGRULayer, CompactTagger
from nerexport.compact.onnx_graph import build_onnx, run_graph
from nerexport.decoding import viterbi
from nerexport.tokenization import BertWordPieceTokenizer, pad_rows

# ---- generated data -----------------------------------------------------------------------------------

MSRA_SENTENCES = [
    ("李明在北京工作。", [("PER", 0, 2), ("LOC", 3, 5)]),
    ("微软公司位于美国西雅图。", [("ORG", 0, 4), ("LOC", 6, 8), ("LOC", 8, 11)]),
    ("张三去了上海，见到了王五。", [("PER", 0, 2), ("LOC", 4, 6), ("PER", 10, 12)]),
    ("中国人民银行发布了2008年报告。", [("ORG", 0, 6)]),
    ("今天天气很好。", []),
    ("IBM公司在纽约开会。", [("ORG", 0, 5), ("LOC", 6, 8)]),
]


def write_msra(path: Path, sentences) -> None:
    lines = []
    for text, spans in sentences:
        tags = ["O"] * len(text)
        for kind, start, end in spans:
            tags[start] = f"B-{kind}"
            for i in range(start + 1, end):
                tags[i] = f"I-{kind}"
        lines += [f"{c}\t{t}" for c, t in zip(text, tags)] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_vocab(path: Path) -> None:
    chars = sorted({c for text, _ in MSRA_SENTENCES for c in text} | {c for t in GOLDEN_TEXTS for c in t})
    tokens = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += [c.lower() for c in chars if not c.isascii()] + ["ib", "##m", "nba", "2008", "12", "##00"]
    tokens += list("abcdefghijklmnopqrstuvwxyz0123456789")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(dict.fromkeys(tokens)) + "\n", encoding="utf-8")


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
    root = tmp_path / "data"
    write_msra(root / "msra" / "train.bio.tsv", MSRA_SENTENCES * 4)
    write_vocab(root / "bert-base-chinese" / "vocab.txt")
    return root


# ---- data -----------------------------------------------------------------------------------------------


def test_msra_reader_gives_the_written_spans(data_dir):
    sentences = D.read_msra(data_dir / "msra" / "train.bio.tsv")
    assert sentences[: len(MSRA_SENTENCES)] == MSRA_SENTENCES


def test_weibo_reader_keeps_named_mentions_and_maps_gpe(tmp_path):
    path = tmp_path / "weiboNER_2nd_conll.train"
    path.write_text("我0\tO\n在0\tO\n北0\tB-GPE.NAM\n京1\tI-GPE.NAM\n见0\tO\n老0\tB-PER.NOM\n师1\tI-PER.NOM\n"
                    "王0\tB-PER.NAM\n\n", encoding="utf-8")
    assert D.read_weibo(path) == [("我在北京见老师王", [("LOC", 2, 4), ("PER", 7, 8)])]


def test_weibo_reader_takes_long_positions_and_characters_that_arrived_as_two_replacements(tmp_path):
    # As in Weibo's real train file: an emoji broken into two U+FFFD, with its segmentation digit.
    path = tmp_path / "weiboNER_2nd_conll.train"
    # And a position in its word of two digits ("p10").
    path.write_text("\ufffd\ufffd0\tO\n王0\tB-PER.NAM\np10\tO\n\n", encoding="utf-8")
    assert D.read_weibo(path) == [("\ufffd王p", [("PER", 1, 2)])]
    # Any other multi-character token is still a malformed file.
    path.write_text("ab0\tO\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected one character"):
        D.read_weibo(path)


def test_cluener_reader_maps_types_and_checks_positions(tmp_path):
    path = tmp_path / "train.json"
    record = {"text": "浙商银行的叶老桂在杭州", "label": {"company": {"浙商银行": [[0, 3]]}, "name": {"叶老桂": [[5, 7]]},
                                                   "address": {"杭州": [[9, 10]]}, "book": {"的": [[4, 4]]}}}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert D.read_cluener(path) == [("浙商银行的叶老桂在杭州", [("ORG", 0, 4), ("PER", 5, 8), ("LOC", 9, 11)])]
    record["label"]["name"] = {"叶老桂": [[4, 6]]}
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="叶老桂"):
        D.read_cluener(path)


def test_rows_put_bioes_tags_on_first_pieces(data_dir):
    tokenizer = BertWordPieceTokenizer(data_dir / "bert-base-chinese" / "vocab.txt", lowercase=True)
    text, spans = MSRA_SENTENCES[5]  # "IBM公司在纽约开会。": IBM is one word of two pieces (ib ##m)
    (row,) = D.to_rows(tokenizer, text, spans, 100)
    v = tokenizer.vocab
    assert row.input_ids == [v["[CLS]"], v["ib"], v["##m"]] + [v[c] for c in "公司在纽约开会。"] + [v["[SEP]"]]
    assert row.first_pieces == [1] + list(range(3, 11))
    assert [D.LABELS[t] for t in row.tags] == ["B-ORG", "I-ORG", "E-ORG", "O", "B-LOC", "E-LOC", "O", "O", "O"]
    assert row.word_spans[0] == (0, 3)
    chunks = D.to_rows(tokenizer, text, spans, 4)
    assert [len(r.first_pieces) for r in chunks] == [4, 4, 1]


def test_dev_split_is_the_last_sentences(data_dir):
    train, dev = D.load_corpora(data_dir, 3)
    assert dev == (MSRA_SENTENCES * 4)[-3:] and len(train) == len(MSRA_SENTENCES) * 4 - 3
    with pytest.raises(ValueError):
        D.split_dev(MSRA_SENTENCES, 0)


def test_strict_scores_count_exact_spans_only():
    gold = [{("PER", 0, 2), ("LOC", 3, 5)}]
    predicted = [{("PER", 0, 2), ("LOC", 3, 6)}]
    s = T.score(gold, predicted)
    assert s["overall"]["precision"] == 0.5 and s["overall"]["recall"] == 0.5
    assert s["PER"]["f1"] == 1.0 and s["LOC"]["f1"] == 0.0


def test_learning_rate_warms_up_then_halves_per_epoch_or_decays_linearly():
    halve = T.learning_rate_schedule(1.0, "halve", steps_per_epoch=100, total=300)  # warm-up: 31 steps
    assert halve(0) == pytest.approx(1 / 31) and halve(30) == 1.0
    assert halve(99) == 1.0 and halve(100) == 0.5 and halve(250) == 0.25
    linear = T.learning_rate_schedule(1.0, "linear", steps_per_epoch=100, total=300)
    assert linear(31) == 1.0 and linear(31 + 269 // 2) == pytest.approx(1 - 134 / 269)
    assert linear(299) == 0.05 and linear(1000) == 0.05


def test_error_breakdown_names_each_kind_of_miss():
    gold = [{("PER", 0, 2), ("LOC", 3, 5), ("ORG", 6, 9), ("LOC", 10, 12), ("PER", 13, 15)}]
    predicted = [{("PER", 0, 2), ("ORG", 3, 5), ("ORG", 6, 8), ("PER", 10, 11), ("LOC", 20, 22)}]
    assert T.error_breakdown(gold, predicted) == {
        "missed": 1, "wrong type": 1, "boundary": 1, "boundary and type": 1, "spurious": 1}


def test_recall_by_exposure_splits_gold_entities_by_whether_training_showed_them():
    train = [("李明在北京。", [("PER", 0, 2), ("LOC", 3, 5)])]
    dev = [("李明去上海，北京人。", [("PER", 0, 2), ("LOC", 3, 5), ("ORG", 6, 8)])]
    # "北京" was shown as LOC, not as ORG: the ORG mention counts as unseen
    predicted = [{("PER", 0, 2), ("LOC", 3, 5)}]
    r = T.recall_by_exposure(train, dev, predicted)
    assert r == {"seen": {"recall": 1.0, "gold": 1}, "unseen": {"recall": 0.5, "gold": 2}}


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


def small_model(seed=0, bigram_dim=4) -> CompactTagger:
    torch.manual_seed(seed)
    model = CompactTagger(200, len(D.LABELS), char_dim=8, bigram_buckets=53, bigram_dim=bigram_dim, hidden=6).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0, 0.5)
    return model


@pytest.mark.parametrize("bigram_dim", [4, 0], ids=["with bigrams", "characters only"])
def test_graph_equals_pytorch_and_is_padding_invariant(bigram_dim):
    model = small_model(bigram_dim=bigram_dim)
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


def test_a_model_that_reads_padding_fails_the_check():
    model = small_model()
    graph = build_onnx(model)

    def leaky(ids, mask):  # the reverse GRU run over the whole padded row, as an unmasked export would
        return run_graph(graph, ids, np.ones_like(mask))

    with pytest.raises(B.BundleError, match="padding"):
        B.check_padding_invariance(leaky, [[2, 10, 20, 3], [2, 40, 3]], pad_id=0)


# ---- the recipe end to end ---------------------------------------------------------------------------------


def test_recipe_trains_exports_a_valid_bundle_and_golden_file(data_dir, tmp_path, capsys):
    chars = sorted({c for text, _ in MSRA_SENTENCES for c in text})
    write_fake_lac(tmp_path / "lac", chars)
    out, golden = tmp_path / "bundle", tmp_path / "golden" / "golden.json"
    argv = ["--data", str(data_dir), "--out", str(out), "--golden", str(golden), "--seed", "13", "--epochs", "2",
            "--dev-size", "6", "--bigram-buckets", "101", "--lac-dir", str(tmp_path / "lac"),
            "--work-dir", str(tmp_path / "work"), "--latency-sentences", "3", "--lr", "1e-2"]
    assert T.main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == ["model.onnx", "ner-model.json", "tokenizer.json"]
    meta = B.read_bundle_meta(out)
    assert meta["labels"] == D.LABELS and meta["scheme"] == "BIOES" and meta["architecture"] == "bigru-crf"
    assert meta["provenance"]["seed"] == 13
    assert meta["provenance"]["data"]["train_sentences"] == len(MSRA_SENTENCES) * 4 - 6
    assert set(meta["evaluation"]["scores"]) == {"PER", "LOC", "ORG", "overall"}
    exposure = meta["evaluation"]["recall_by_exposure"]
    assert exposure["seen"]["gold"] + exposure["unseen"]["gold"] == meta["evaluation"]["scores"]["overall"]["gold"]
    assert meta["evaluation"]["latency_single_sentence_pytorch_cpu"]["sentences"] == 3
    assert len(meta["provenance"]["training"]["history"]) == 2

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

    # the evaluation command reports every type, the size and the latency of the saved model
    from nerexport.compact import evaluate

    assert evaluate.main(["--checkpoint", str(tmp_path / "work" / "final.pt"), "--data", str(data_dir),
                          "--latency-sentences", "2"]) == 0
    printed = capsys.readouterr().out
    for word in ("PER", "LOC", "ORG", "overall", "seen in training", "unseen in training", "errors: missed", "spurious", "parameters:", "median"):
        assert word in printed

    # the bundle as written scores what the recipe recorded for it
    assert evaluate.main(["--bundle", str(out), "--data", str(data_dir), "--dev-size", "6", "--training-fit", "3"]) == 0
    printed = capsys.readouterr().out
    overall = meta["evaluation"]["scores"]["overall"]
    assert f"{'overall':8} {overall['precision']:7.4f} {overall['recall']:7.4f} {overall['f1']:7.4f}" in printed
    assert "unseen in training" in printed and "median" not in printed
    assert "training part, first 3 sentences: P" in printed and "training part, last 3 sentences: P" in printed
