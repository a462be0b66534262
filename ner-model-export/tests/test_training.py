"""Tests of what every recipe shares (nerexport.training): the four data sets' readers and dev splits, the
mixture, rows, batching, the CRF, the scores and the learning-rate schedule. Data are generated."""

from __future__ import annotations

import itertools
import json
import random

import pytest
import torch

from conftest import CLUENER_RECORDS, MSRA_SENTENCES, RESUME_SENTENCES, WEIBO_SENTENCES, write_four_sets
from nerexport.tokenization import BertWordPieceTokenizer
from nerexport.training import batching as BT
from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M
from nerexport.training.crf import LinearChainCrf


@pytest.fixture()
def data_dir(tmp_path):
    return write_four_sets(tmp_path / "data")


# ---- readers: each set mapped to PER/LOC/ORG ---------------------------------------------------------------


def test_msra_reader_gives_the_written_spans(data_dir):
    assert D.read_msra(data_dir / "msra" / "train.bio.tsv")[: len(MSRA_SENTENCES)] == MSRA_SENTENCES


def test_cluener_maps_name_address_and_the_organisation_types_and_drops_the_others(data_dir):
    sentences = D.read_cluener(data_dir / "cluener2020" / "train.json")
    assert sentences[:3] == [
        ("浙商银行的叶老桂在杭州", [("ORG", 0, 4), ("PER", 5, 8), ("LOC", 9, 11)]),
        ("王五在上海看了电影", [("PER", 0, 2), ("LOC", 3, 5)]),  # movie is not an entity type here
        ("微软公司发布新产品", [("ORG", 0, 4)]),
    ]


def test_cluener_reader_refuses_a_mention_that_is_not_at_its_position(tmp_path):
    path = tmp_path / "train.json"
    path.write_text(json.dumps({"text": "浙商银行的叶老桂", "label": {"name": {"叶老桂": [[4, 6]]}}}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match="叶老桂"):
        D.read_cluener(path)


def test_weibo_keeps_named_mentions_only_and_maps_gpe_to_loc(data_dir):
    assert D.read_weibo(data_dir / "weibo" / "weiboNER_2nd_conll.dev") == [
        ("我在北京见老师王五", [("LOC", 2, 4), ("PER", 7, 9)]),  # 老师 is PER.NOM: not a name
        ("张三去微软", [("PER", 0, 2), ("ORG", 3, 5)]),
    ]


def test_weibo_reader_takes_long_positions_and_characters_that_arrived_as_two_replacements(tmp_path):
    path = tmp_path / "weiboNER_2nd_conll.train"
    path.write_text("\ufffd\ufffd0\tO\n王0\tB-PER.NAM\np10\tO\n\n", encoding="utf-8")
    assert D.read_weibo(path) == [("\ufffd王p", [("PER", 1, 2)])]
    path.write_text("ab0\tO\n\n", encoding="utf-8")
    with pytest.raises(ValueError, match="expected one character"):
        D.read_weibo(path)


def test_resume_maps_name_org_loc_and_drops_titles_and_the_rest(data_dir):
    for name in ("train.char.bmes", "dev.char.bmes"):  # CRLF and LF
        sentences = D.read_resume(data_dir / "resume" / name)
        assert sentences[:2] == [
            ("李明，中国微软公司工作", [("PER", 0, 2), ("ORG", 5, 9)]),
            ("王在上海", [("PER", 0, 1), ("LOC", 2, 4)]),
        ]


def test_bmes_splits_adjacent_entities_of_one_type_at_e_and_s():
    tags = ["S-NAME", "B-NAME", "E-NAME", "B-NAME", "M-NAME", "E-NAME", "O"]
    assert D.bmes_spans(tags, D.RESUME_TYPES) == [("PER", 0, 1), ("PER", 1, 3), ("PER", 3, 6)]


def test_resume_reader_skips_the_known_line_that_lost_its_character(tmp_path):
    path = tmp_path / "train.char.bmes"
    path.write_bytes("李 B-NAME\r\n-NAME\r\n明 E-NAME\r\n\r\n".encode("utf-8"))
    assert D.read_resume(path) == [("李明", [("PER", 0, 2)])]
    path.write_bytes("李B-NAME\r\n\r\n".encode("utf-8"))
    with pytest.raises(ValueError, match="expected"):
        D.read_resume(path)


# ---- dev splits and mixture ---------------------------------------------------------------------------------


def test_each_set_has_its_fixed_dev_split(data_dir):
    msra_train, msra_dev = D.read_dataset(data_dir, "msra", msra_dev_size=3)
    assert msra_dev == (MSRA_SENTENCES * 4)[-3:] and len(msra_train) == len(MSRA_SENTENCES) * 4 - 3
    train, dev = D.read_dataset(data_dir, "cluener", cluener_dev_size=2)
    assert len(train) == len(CLUENER_RECORDS) * 4 - 2 and [t for t, _ in dev] == [t for t, _ in (CLUENER_RECORDS * 4)[-2:]]
    train, dev = D.read_dataset(data_dir, "weibo")
    assert len(train) == len(WEIBO_SENTENCES) * 4 and len(dev) == len(WEIBO_SENTENCES)
    train, dev = D.read_dataset(data_dir, "resume")
    assert len(train) == len(RESUME_SENTENCES) * 4 and len(dev) == len(RESUME_SENTENCES)
    with pytest.raises(ValueError, match="unknown data set"):
        D.read_dataset(data_dir, "ontonotes")
    with pytest.raises(ValueError):
        D.split_dev(MSRA_SENTENCES, 0)


def test_load_corpora_reads_the_mixture_for_training_and_always_all_dev_sets(data_dir):
    corpora = D.load_corpora(data_dir, {"msra": 1.0}, msra_dev_size=3, cluener_dev_size=2)
    assert list(corpora.train) == ["msra"] and list(corpora.dev) == list(D.DATASETS)


def test_mixture_weights_repeat_whole_copies_and_sample_the_fraction_reproducibly():
    assert D.parse_mixture("msra, weibo=2.5") == {"msra": 1.0, "weibo": 2.5}
    for bad in ("", "msra=0", "msra=11", "msra=x", "ontonotes=1"):
        with pytest.raises(ValueError):
            D.parse_mixture(bad)
    sets = {"msra": [(str(i), []) for i in range(10)], "weibo": [(f"w{i}", []) for i in range(4)]}
    mixed = D.mix(sets, {"msra": 1.0, "weibo": 2.5}, seed=3)
    assert len(mixed) == 10 + 8 + 2
    assert mixed == D.mix(sets, {"msra": 1.0, "weibo": 2.5}, seed=3)
    assert sum(1 for t, _ in mixed if t.startswith("w")) == 10


# ---- rows and batching ------------------------------------------------------------------------------------


def test_rows_put_bioes_tags_on_first_pieces(data_dir):
    tokenizer = BertWordPieceTokenizer(data_dir / "bert-base-chinese" / "vocab.txt", lowercase=True)
    text, spans = MSRA_SENTENCES[5]  # "IBM公司在纽约开会。": IBM is one word of two pieces (ib ##m)
    (row,) = D.to_rows(tokenizer, text, spans, 100)
    v = tokenizer.vocab
    assert row.input_ids == [v["[CLS]"], v["ib"], v["##m"]] + [v[c] for c in "公司在纽约开会。"] + [v["[SEP]"]]
    assert row.first_pieces == [1] + list(range(3, 11))
    assert [D.LABELS[t] for t in row.tags] == ["B-ORG", "I-ORG", "E-ORG", "O", "B-LOC", "E-LOC", "O", "O", "O"]
    assert row.word_spans[0] == (0, 3)
    assert [len(r.first_pieces) for r in D.to_rows(tokenizer, text, spans, 4)] == [4, 4, 1]


def test_batches_group_by_length_and_respect_the_token_budget():
    rows = [D.Row([0] * n, [1], [0], [(0, 1)]) for n in (5, 50, 6, 49, 7, 48, 100)]
    groups = BT.batches(rows, 3)
    assert [sorted(len(rows[i].input_ids) for i in g) for g in groups] == [[5, 6, 7], [48, 49, 50], [100]]
    budget = BT.batches(rows, 3, max_tokens=120)
    assert all(len(g) * max(len(rows[i].input_ids) for i in g) <= 120 or len(g) == 1 for g in budget)
    assert sorted(i for g in budget for i in g) == list(range(len(rows)))
    shuffled = BT.batches(rows, 3, random.Random(1))
    assert sorted(map(sorted, shuffled)) == sorted(map(sorted, groups))


# ---- CRF ----------------------------------------------------------------------------------------------------


def test_crf_nll_equals_the_brute_force_log_partition_and_ignores_padded_words():
    torch.manual_seed(0)
    crf = LinearChainCrf(3)
    with torch.no_grad():
        for p in crf.parameters():
            p.normal_()
    emissions = torch.randn(2, 4, 3)
    tags = torch.tensor([[0, 2, 1, 1], [1, 0, 0, 0]])
    word_mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]])

    def path_score(e, path):
        s = crf.start_transitions[path[0]] + e[0, path[0]] + crf.end_transitions[path[-1]]
        for t in range(1, len(path)):
            s = s + crf.transitions[path[t - 1], path[t]] + e[t, path[t]]
        return s

    expected = []
    for b, n in enumerate((4, 2)):
        log_z = torch.logsumexp(torch.stack([path_score(emissions[b], p) for p in itertools.product(range(3), repeat=n)]), 0)
        expected.append(log_z - path_score(emissions[b], tags[b, :n].tolist()))
    assert crf.nll(emissions, tags, word_mask).item() == pytest.approx(torch.stack(expected).mean().item(), abs=1e-5)


# ---- scores -------------------------------------------------------------------------------------------------


def test_strict_scores_count_exact_spans_only():
    s = M.score([{("PER", 0, 2), ("LOC", 3, 5)}], [{("PER", 0, 2), ("LOC", 3, 6)}])
    assert s["overall"]["precision"] == 0.5 and s["overall"]["recall"] == 0.5
    assert s["PER"]["f1"] == 1.0 and s["LOC"]["f1"] == 0.0


def test_mean_f1_weighs_every_set_alike():
    scores = {"a": {"overall": {"f1": 0.9}}, "b": {"overall": {"f1": 0.5}}}
    assert M.mean_f1(scores) == 0.7
    assert "mean 0.7000" in M.format_sets(scores)


def test_error_breakdown_names_each_kind_of_miss():
    gold = [{("PER", 0, 2), ("LOC", 3, 5), ("ORG", 6, 9), ("LOC", 10, 12), ("PER", 13, 15)}]
    predicted = [{("PER", 0, 2), ("ORG", 3, 5), ("ORG", 6, 8), ("PER", 10, 11), ("LOC", 20, 22)}]
    assert M.error_breakdown(gold, predicted) == {
        "missed": 1, "wrong type": 1, "boundary": 1, "boundary and type": 1, "spurious": 1}


def test_recall_by_exposure_splits_gold_entities_by_whether_training_showed_them():
    train = [("李明在北京。", [("PER", 0, 2), ("LOC", 3, 5)])]
    dev = [("李明去上海，北京人。", [("PER", 0, 2), ("LOC", 3, 5), ("ORG", 6, 8)])]
    r = M.recall_by_exposure(train, dev, [{("PER", 0, 2), ("LOC", 3, 5)}])
    assert r == {"seen": {"recall": 1.0, "gold": 1}, "unseen": {"recall": 0.5, "gold": 2}}


def test_evaluation_record_holds_every_set_with_its_split():
    scores = {"msra": M.score([{("PER", 0, 2)}], [{("PER", 0, 2)}]), "weibo": M.score([{("PER", 0, 2)}], [set()])}
    record = M.evaluation_record(scores, {"msra": {"seen": {}}}, {"msra": "m", "weibo": "w"})
    assert record["meanF1"] == 0.5 and record["sets"]["msra"]["dev"] == "m"
    assert record["sets"]["weibo"]["scores"]["PER"]["recall"] == 0.0 and "recallByExposure" not in record["sets"]["weibo"]


# ---- schedule -------------------------------------------------------------------------------------------


def test_learning_rate_warms_up_then_halves_per_epoch_or_decays_linearly():
    halve = loop.learning_rate_schedule(1.0, "halve", steps_per_epoch=100, total=300)  # warm-up: 31 steps
    assert halve(0) == pytest.approx(1 / 31) and halve(30) == 1.0
    assert halve(99) == 1.0 and halve(100) == 0.5 and halve(250) == 0.25
    linear = loop.learning_rate_schedule(1.0, "linear", steps_per_epoch=100, total=300)
    assert linear(31) == 1.0 and linear(31 + 269 // 2) == pytest.approx(1 - 134 / 269)
    assert linear(299) == 0.05 and linear(1000) == 0.05
    explicit = loop.learning_rate_schedule(1.0, "linear", steps_per_epoch=100, total=300, warmup=10)
    assert explicit(4) == 0.5 and explicit(10) == 1.0


# ---- the training loop ---------------------------------------------------------------------------------------


class _TinyTagger(torch.nn.Module):
    """Embedding + linear + CRF, no dropout: its training is a function of the data order and the optimizer."""

    def __init__(self, vocab_size):
        super().__init__()
        torch.manual_seed(0)
        self.embed = torch.nn.Embedding(vocab_size, 8)
        self.linear = torch.nn.Linear(8, len(D.LABELS))
        self.crf = LinearChainCrf(len(D.LABELS))

    def forward(self, ids, mask):
        return self.linear(self.embed(ids))


def test_a_resumed_run_ends_with_the_weights_of_an_uninterrupted_one(data_dir, tmp_path):
    tokenizer = BertWordPieceTokenizer(data_dir / "bert-base-chinese" / "vocab.txt", lowercase=True)
    corpora = D.load_corpora(data_dir, {"msra": 1.0}, msra_dev_size=3, cluener_dev_size=2)
    rows = [r for text, spans in corpora.train["msra"] for r in D.to_rows(tokenizer, text, spans, 100)]

    def run(epochs, work, model=None, optimizer=None, start_epoch=1):
        model = model or _TinyTagger(len(tokenizer.vocab))
        optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=0.05)
        lr_at = loop.learning_rate_schedule(0.05, "linear", 2, 6)
        loop.fit(model, rows, corpora.dev, tokenizer, optimizer=optimizer, lr_at=lr_at, epochs=epochs, batch_size=2,
                 seed=5, work_dir=work, keep_best_epoch=False, start_epoch=start_epoch)
        return model

    straight = run(3, tmp_path / "straight")
    run(1, tmp_path / "first")  # the same schedule, stopped after epoch 1
    saved = torch.load(tmp_path / "first" / "epoch1.pt")
    resumed_model = _TinyTagger(len(tokenizer.vocab))
    optimizer = torch.optim.Adam(resumed_model.parameters(), lr=0.05)
    start_epoch, record = loop.resume_from(tmp_path / "first" / "epoch1.pt", resumed_model, optimizer)
    assert (start_epoch, record) == (2, {"checkpoint": "epoch1.pt", "epoch": 1, "optimizerState": True})
    resumed = run(3, tmp_path / "resumed", resumed_model, optimizer, start_epoch=start_epoch)
    for name, value in straight.state_dict().items():
        assert torch.equal(value, resumed.state_dict()[name]), name
    assert not torch.equal(straight.state_dict()["linear.weight"], saved["state"]["linear.weight"])
