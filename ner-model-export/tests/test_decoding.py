"""Reference decoding: Viterbi against brute force, chunking rules, prob, offsets."""

import itertools

import numpy as np
import pytest

from nerexport.decoding import chunk, decode_entities, prob, split_label, viterbi
from nerexport.tokenization import Word

RANER_LABELS = ["O", "B-LOC", "S-LOC", "B-ORG", "S-ORG", "B-PER", "S-PER", "I-LOC", "E-LOC", "I-ORG", "E-ORG", "I-PER", "E-PER"]


def brute_force(em, start, end, trans):
    steps, labels = em.shape
    best, best_score = None, -np.inf
    for tags in itertools.product(range(labels), repeat=steps):
        score = start[tags[0]] + end[tags[-1]] + sum(em[t, tags[t]] for t in range(steps))
        score += sum(trans[tags[t - 1], tags[t]] for t in range(1, steps))
        if score > best_score:
            best, best_score = list(tags), score
    return best


@pytest.mark.parametrize("seed", range(40))
def test_viterbi_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    steps, labels = int(rng.integers(1, 6)), int(rng.integers(2, 5))
    em = rng.normal(size=(steps, labels))
    start, end = rng.normal(size=labels), rng.normal(size=labels)
    trans = rng.normal(size=(labels, labels)) * 2
    assert viterbi(em, start, end, trans) == brute_force(em, start, end, trans)


def test_viterbi_uses_start_end_and_directional_transitions():
    em = np.zeros((2, 2))
    trans = np.array([[0.0, 5.0], [-5.0, 0.0]])  # 0 -> 1 is good, 1 -> 0 is bad
    assert viterbi(em, [0, 0], [0, 0], trans) == [0, 1]
    assert viterbi(em, [0, 0], [0, 0], trans.T) == [1, 0]
    assert viterbi(np.zeros((1, 3)), [0, 0, 1], [0, 0, 0], np.zeros((3, 3))) == [2]
    assert viterbi(np.zeros((1, 3)), [0, 0, 0], [0, 3, 0], np.zeros((3, 3))) == [1]


def test_viterbi_of_nothing_and_bad_shapes():
    assert viterbi(np.zeros((0, 3)), [0] * 3, [0] * 3, np.zeros((3, 3))) == []
    with pytest.raises(ValueError, match="do not fit"):
        viterbi(np.zeros((2, 3)), [0] * 2, [0] * 3, np.zeros((3, 3)))


def tags_of(*names):
    return [RANER_LABELS.index(n) for n in names]


@pytest.mark.parametrize(
    "names, expected",
    [
        (("B-PER", "I-PER", "E-PER"), [("PER", 0, 2)]),
        (("S-LOC", "S-LOC"), [("LOC", 0, 0), ("LOC", 1, 1)]),
        # I/E without B start a chunk
        (("O", "I-ORG", "E-ORG"), [("ORG", 1, 2)]),
        (("E-PER", "O"), [("PER", 0, 0)]),
        # O inside an open chunk keeps it open; the chunk's end is the last I/E/S
        (("B-PER", "O", "E-PER"), [("PER", 0, 2)]),
        (("B-PER", "O", "O"), [("PER", 0, 0)]),
        (("B-PER", "I-PER", "O", "O"), [("PER", 0, 1)]),
        # a chunk still open at the end closes there
        (("O", "B-LOC", "I-LOC"), [("LOC", 1, 2)]),
        # B closes an open chunk; later I/E types are not checked
        (("B-PER", "B-LOC", "E-ORG"), [("PER", 0, 0), ("LOC", 1, 2)]),
        # S inside an open chunk closes the old one and is its own chunk
        (("B-ORG", "I-ORG", "S-PER", "E-LOC"), [("ORG", 0, 1), ("PER", 2, 2), ("LOC", 3, 3)]),
        (("O", "O"), []),
        ((), []),
    ],
)
def test_chunking_rules(names, expected):
    assert chunk(tags_of(*names), RANER_LABELS) == expected


def test_bio_labels_chunk_with_the_same_rules():
    labels = ["O", "B-PER", "I-PER"]
    assert chunk([1, 2, 0, 2, 1], labels) == [("PER", 0, 3), ("PER", 4, 4)]


def test_split_label_rejects_unknown_shapes():
    assert split_label("B-PER") == ("B", "PER")
    assert split_label("S-GPE") == ("S", "GPE")
    for bad in ("X-PER", "B", "B-", "PER"):
        with pytest.raises(ValueError):
            split_label(bad)


def test_prob_is_softmax_of_the_first_position():
    em = np.array([[0.0, np.log(3.0)], [5.0, 5.0]])
    assert prob(em, 0, 1) == pytest.approx(0.75)
    assert prob(em, 1, 0) == pytest.approx(0.5)


def test_decode_entities_offsets_span_whole_words_and_follow_crf():
    labels = ["O", "B-PER", "I-PER", "E-PER", "S-PER", "S-LOC"]
    text = "张 Abc😀x 在北京"
    words = [Word([1], 0, 1), Word([2, 3], 2, 7), Word([4], 8, 9), Word([5], 9, 10), Word([6], 10, 11)]
    em = np.full((5, 6), -3.0)
    em[0, 1] = 3.0  # B-PER
    em[1, 3] = 3.0  # E-PER
    em[2, 0] = 3.0  # O
    em[3, 5] = 2.0  # S-LOC
    em[4, 5] = 2.5  # S-LOC
    meta = {"labels": labels, "crf": {"start": [0] * 6, "end": [0] * 6, "transitions": np.zeros((6, 6)).tolist()}}
    entities = decode_entities(text, words, em, meta)
    assert [(e["type"], e["start"], e["end"], e["span"]) for e in entities] == [
        ("PER", 0, 7, "张 Abc😀x"),
        ("LOC", 9, 10, "北"),
        ("LOC", 10, 11, "京"),
    ]
    assert entities[0]["prob"] == pytest.approx(np.exp(3) / (np.exp(3) + 5 * np.exp(-3)))
    # A strong S-LOC -> S-LOC penalty makes the CRF pick a different path than the emissions alone.
    trans = np.zeros((6, 6))
    trans[5, 5] = -100.0
    meta["crf"]["transitions"] = trans.tolist()
    assert [e["span"] for e in decode_entities(text, words, em, meta) if e["type"] == "LOC"] == ["京"]


def test_decode_entities_refuses_emissions_of_the_wrong_width():
    meta = {"labels": ["O", "S-PER"], "crf": {"start": [0, 0], "end": [0, 0], "transitions": [[0, 0], [0, 0]]}}
    with pytest.raises(ValueError, match="labels"):
        decode_entities("我", [Word([1], 0, 1)], np.zeros((1, 3)), meta)


@pytest.mark.parametrize("seed", range(20))
def test_viterbi_margin_is_the_gap_to_the_second_best_path(seed):
    from nerexport.decoding import viterbi_margin

    rng = np.random.default_rng(100 + seed)
    steps, labels = int(rng.integers(1, 5)), int(rng.integers(2, 4))
    em = rng.normal(size=(steps, labels))
    start, end, trans = rng.normal(size=labels), rng.normal(size=labels), rng.normal(size=(labels, labels))
    scores = []
    for tags in itertools.product(range(labels), repeat=steps):
        s = start[tags[0]] + end[tags[-1]] + sum(em[t, tags[t]] for t in range(steps))
        scores.append(s + sum(trans[tags[t - 1], tags[t]] for t in range(1, steps)))
    scores.sort(reverse=True)
    assert viterbi_margin(em, start, end, trans) == pytest.approx(scores[0] - scores[1])
