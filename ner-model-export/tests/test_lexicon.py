"""Tests of the dictionary features (nerexport.lexicon): reading a jieba-format dictionary into word-piece
n-grams, the exact cuckoo table, what the features say about each position, and that the ONNX nodes compute
exactly what PyTorch computes (NumPy evaluator), padding included. The real jieba dict.txt (python3-jieba,
installed by .ci/run) is read too, to prove the table holds every one of its words."""

from __future__ import annotations

import random

import numpy as np
import onnx
import pytest
import torch
from onnx import TensorProto, helper

from nerexport.lexicon import dictionary as LD
from nerexport.lexicon import features as LF
from nerexport.lexicon import table as LT
from nerexport.onnx_eval import OnnxEvaluator
from nerexport.tokenization import BertWordPieceTokenizer, pad_rows

PLACE, ORG, PERSON, NOUN, FREQUENT = 1 << 1, 1 << 2, 1 << 0, 1 << 5, 1 << 7


@pytest.fixture
def tokenizer(small_vocab_path):
    return BertWordPieceTokenizer(small_vocab_path, lowercase=True)


@pytest.fixture
def dictionary(tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("北京 3000 ns\n天安门广场 20 ns\n阿里巴巴集团 50 nt\n马云 5 nr\n工作 800 vn\n北京 10 nt\n"
                    "ＡＢＣ 3 nz\n生僻𠮷字 3 n\n京 2 ns\n", encoding="utf-8")
    return path


def test_dictionary_words_become_piece_ngrams_with_their_bits(tokenizer, dictionary):
    entries = LD.read_dictionary(dictionary, tokenizer)
    ids = lambda text: tuple(p.id for p in tokenizer.encode(text))  # noqa: E731
    assert entries[ids("北京")] == PLACE | ORG | FREQUENT  # two lines OR their bits
    assert entries[ids("天安门广场")] == PLACE
    assert entries[ids("阿里巴巴集团")] == ORG
    assert entries[ids("工作")] == NOUN | FREQUENT
    assert entries[ids("abc")] == 1 << 3  # NFKC and lower-case, as the bundle's tokenizer does
    assert ids("生僻𠮷字") not in entries and len(entries) == 7  # a word with [UNK] is left out


def test_a_malformed_dictionary_line_is_refused_with_its_line_number(tokenizer, tmp_path):
    path = tmp_path / "dict.txt"
    path.write_text("北京 3000 ns\n上海 many ns\n", encoding="utf-8")
    with pytest.raises(ValueError, match=":2:"):
        LD.read_dictionary(path, tokenizer)


def test_the_table_finds_every_entry_and_nothing_else():
    rng = random.Random(0)
    entries = {tuple(rng.randrange(1, 21128) for _ in range(rng.randint(1, 8))): rng.randint(1, 255) for _ in range(5000)}
    table = LT.build_table(entries)
    assert table.size > len(entries) and (table.keys != LT.EMPTY).sum() == len(entries)
    assert all(table.lookup(k) == v for k, v in entries.items())
    others = [tuple(rng.randrange(1, 21128) for _ in range(3)) for _ in range(2000)]
    assert all(table.lookup(k) == 0 for k in others if k not in entries)
    assert LT.build_table(entries).keys.tobytes() == table.keys.tobytes()  # deterministic


def features_of(tokenizer, table, texts):
    rows = [[tokenizer.cls_id] + [p.id for p in tokenizer.encode(t)] + [tokenizer.sep_id] for t in texts]
    ids, mask = pad_rows(rows, tokenizer.pad_id)
    lex = LF.LexiconTensors.from_table(table, tokenizer.cls_id, tokenizer.sep_id)
    return torch.tensor(ids), torch.tensor(mask), LF.lexicon_features(torch.tensor(ids), torch.tensor(mask), lex)


def bits_of(vector) -> int:
    return sum(1 << i for i, v in enumerate(vector) if v)


def test_features_mark_where_words_begin_continue_end_and_stand_alone(tokenizer, dictionary):
    table = LT.build_table(LD.read_dictionary(dictionary, tokenizer))
    _, _, f = features_of(tokenizer, table, ["我在北京天安门广场工作"])
    B, M, E, S = (slice(k * LD.BITS, (k + 1) * LD.BITS) for k in range(4))
    at = lambda i: f[0, i + 1]  # noqa: E731  (position 0 is [CLS])
    assert bits_of(at(2)[B]) == PLACE | ORG | FREQUENT and bits_of(at(3)[E]) == PLACE | ORG | FREQUENT  # 北京
    assert bits_of(at(3)[S]) == PLACE  # 京 alone
    assert bits_of(at(4)[B]) == PLACE and bits_of(at(8)[E]) == PLACE  # 天安门广场
    assert all(bits_of(at(i)[M]) == PLACE for i in (5, 6, 7)) and bits_of(at(4)[M]) == 0
    assert bits_of(at(0)[B]) == bits_of(at(0)[S]) == 0  # 我: no word
    lengths_begin, lengths_end = at(4)[4 * LD.BITS : 4 * LD.BITS + 4], at(8)[4 * LD.BITS + 4 :]
    assert lengths_begin.tolist() == [0, 0, 0, 1] and lengths_end.tolist() == [0, 0, 0, 1]  # 5+ pieces
    assert f.shape[-1] == LF.FEATURES


def test_words_never_cross_special_tokens_or_padding(tokenizer, dictionary):
    table = LT.build_table(LD.read_dictionary(dictionary, tokenizer))
    # "北" ends the first text: the [SEP] and padding after it never complete 北京, and 北 alone is no word
    ids, mask, f = features_of(tokenizer, table, ["我北", "京我在北京工作"])
    assert f[0].abs().sum() == 0
    assert bits_of(f[1, 1, 3 * LD.BITS : 4 * LD.BITS]) == PLACE  # the second row's 京 alone is found


def test_onnx_nodes_compute_exactly_the_pytorch_features(tokenizer, dictionary):
    table = LT.build_table(LD.read_dictionary(dictionary, tokenizer))
    ids, mask, expected = features_of(tokenizer, table, ["我在北京天安门广场工作", "马云", "阿里巴巴集团在杭州市", ""])
    nodes, inits = LF.lexicon_nodes(table, tokenizer.cls_id, tokenizer.sep_id, "input_ids", "attention_mask", "features")
    graph = helper.make_graph(
        nodes, "lexicon",
        [helper.make_tensor_value_info(n, TensorProto.INT64, ["b", "s"]) for n in ("input_ids", "attention_mask")],
        [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["b", "s", LF.FEATURES])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(model)
    evaluator = OnnxEvaluator(model.SerializeToString())
    (got,) = evaluator.run(["features"], {"input_ids": ids.numpy(), "attention_mask": mask.numpy()})
    np.testing.assert_array_equal(got, expected.numpy())
    # rows shorter than the longest word, and one piece, still come out right
    short = torch.tensor([[tokenizer.cls_id, tokenizer.sep_id]])
    (got,) = evaluator.run(["features"], {"input_ids": short.numpy(), "attention_mask": np.ones((1, 2), dtype=np.int64)})
    assert got.shape == (1, 2, LF.FEATURES) and not got.any()


REAL_DICTIONARY = LD.default_dictionary_path()


@pytest.mark.skipif(REAL_DICTIONARY is None, reason="python3-jieba is not installed (.ci/run installs it)")
def test_the_real_jieba_dictionary_fits_the_table_and_every_word_is_found():
    from pathlib import Path

    vocab = Path(__file__).resolve().parents[2] / "ner-api" / "src" / "main" / "resources" / "ner-models" / "raner-compact-zh" / "tokenizer.json"
    import json

    spec = json.loads(vocab.read_text(encoding="utf-8"))
    tokenizer = BertWordPieceTokenizer(vocab={t: i for t, i in spec["model"]["vocab"].items()}, lowercase=True)
    entries = LD.read_dictionary(REAL_DICTIONARY, tokenizer)
    assert len(entries) > 330_000
    table = LT.build_table(entries)
    assert all(table.lookup(k) == v for k, v in entries.items())
