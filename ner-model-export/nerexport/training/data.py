"""Training data shared by every recipe: readers for MSRA, CLUENER2020, Weibo and Resume NER (mapped to
PER/LOC/ORG), their fixed dev splits, the training mixture, and the conversion of a sentence into a model row
exactly as ner-api builds it.

A sentence is ``(text, spans)`` with ``spans`` a list of ``(type, start, end)`` in code points, end exclusive.
A model row is ``[CLS] pieces... [SEP]`` built with the reference tokenizer (nerexport.tokenization); the
word labels (BIOES) sit on each word's first piece, as the bundle contract fixes.
"""

from __future__ import annotations

import random
import re

import json
from pathlib import Path
from typing import Dict, List, NamedTuple, Sequence, Tuple

from nerexport.tokenization import BertWordPieceTokenizer

TYPES = ("PER", "LOC", "ORG")
LABELS = ["O"] + [f"{p}-{t}" for t in TYPES for p in ("B", "I", "E", "S")]
LABEL_IDS = {label: i for i, label in enumerate(LABELS)}

Span = Tuple[str, int, int]
Sentence = Tuple[str, List[Span]]

CLUENER_TYPES = {"name": "PER", "address": "LOC", "organization": "ORG", "company": "ORG", "government": "ORG"}
WEIBO_TYPES = {"PER.NAM": "PER", "LOC.NAM": "LOC", "GPE.NAM": "LOC", "ORG.NAM": "ORG"}
RESUME_TYPES = {"NAME": "PER", "LOC": "LOC", "ORG": "ORG"}

# The four data sets, in report order, and their fixed dev splits (README of the shared data folder):
# MSRA: the last 2,000 sentences of train (the split every earlier figure used); CLUENER: the last 1,343
# records of train.json (as many as the official dev set, which is not in the shared folder); Weibo and
# Resume: their own dev files.
DATASETS = ("msra", "cluener", "weibo", "resume")
MSRA_DEV_SIZE = 2000
CLUENER_DEV_SIZE = 1343


def dev_split_description(name: str, msra_dev_size: int = MSRA_DEV_SIZE, cluener_dev_size: int = CLUENER_DEV_SIZE) -> str:
    """Where a set's dev split comes from, as ner-model.json and the model card state it."""
    return {
        "msra": f"the last {msra_dev_size} sentences of msra/train.bio.tsv",
        "cluener": f"the last {cluener_dev_size} records of cluener2020/train.json (name->PER, address->LOC, organization/company/government->ORG)",
        "weibo": "weibo/weiboNER_2nd_conll.dev (NAM mentions; GPE->LOC)",
        "resume": "resume/dev.char.bmes (NAME->PER, ORG, LOC; other types O)",
    }[name]


def bio_spans(tags: Sequence[str], type_map=None) -> List[Span]:
    """Character BIO tags to spans; an ``I-`` without a matching open span starts one. ``type_map`` maps or
    drops (``None``) the raw types."""
    spans: List[Span] = []
    open_span = None  # [type, start]
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, raw = tag.partition("-")
        kind = (type_map.get(raw) if type_map is not None else raw) if raw else None
        continues = prefix == "I" and open_span is not None and open_span[0] == kind
        if open_span is not None and not continues:
            spans.append((open_span[0], open_span[1], i))
            open_span = None
        if prefix in ("B", "I") and kind is not None and not continues:
            open_span = [kind, i]
    return spans


def read_char_bio(path, type_map=None, strip_digit: bool = False, scheme: str = "BIO") -> List[Sentence]:
    """One ``char<TAB>tag`` (or ``char<SPACE>tag``) per line, blank line between sentences (MSRA; Weibo with
    ``strip_digit``, whose character column carries a trailing segmentation digit; Resume with ``scheme``
    BMES)."""
    sentences: List[Sentence] = []
    chars: List[str] = []
    tags: List[str] = []

    def flush():
        if chars:
            spans = bmes_spans(tags, type_map) if scheme == "BMES" else bio_spans(tags, type_map)
            sentences.append(("".join(chars), spans))
        chars.clear()
        tags.clear()

    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                flush()
                continue
            if scheme == "BMES" and re.fullmatch(r"-[A-Z]+", line):
                # Resume's train file has one such line (68,949: "-NAME", inside a name): a tag whose
                # character and prefix were lost. Nothing can be read from it; the name keeps its other
                # characters.
                continue
            parts = line.split("\t") if "\t" in line else line.rsplit(" ", 1)
            if len(parts) != 2 or not parts[0]:
                raise ValueError(f"{path}:{line_no}: expected 'char<TAB>tag', got {line!r}")
            char, tag = parts
            if strip_digit:
                # One character and its position in its word ("北0", "p10"). A few characters (emoji,
                # by their context) reached Weibo's train file as two U+FFFD: one position, as written.
                match = re.fullmatch(r"(\ufffd+|.)\d+", char, flags=re.DOTALL)
                char = match.group(1)[0] if match else char
            if len(char) != 1:
                raise ValueError(f"{path}:{line_no}: expected one character, got {char!r}")
            chars.append(char)
            tags.append(tag)
    flush()
    return sentences


def bmes_spans(tags: Sequence[str], type_map) -> List[Span]:
    """Character BMES tags (``B-``, ``M-``, ``E-``, ``S-``) to spans; a span ends at its ``E-``/``S-`` or where
    the next tag does not continue it. ``type_map`` maps or drops (``None``) the raw types."""
    bio = []
    for tag in tags:
        prefix, _, raw = tag.partition("-")
        bio.append({"B": "B", "S": "B", "M": "I", "E": "I"}.get(prefix, "O") + (f"-{raw}" if raw else ""))
    spans = []
    for kind, start, end in bio_spans(bio, type_map):
        # BIO cannot mark where an E- or S- closes a span followed directly by an M-/E- of the same type
        cut = start
        for i in range(start, end):
            if tags[i][:1] in ("E", "S") and i + 1 < end:
                spans.append((kind, cut, i + 1))
                cut = i + 1
        spans.append((kind, cut, end))
    return spans


def read_msra(path) -> List[Sentence]:
    return read_char_bio(path)


def read_resume(path) -> List[Sentence]:
    """Resume NER (``char<SPACE>BMES tag``, CRLF in train): NAME -> PER, LOC, ORG; other types (TITLE, EDU,
    CONT, PRO, RACE) are O."""
    return read_char_bio(path, RESUME_TYPES, scheme="BMES")


def read_weibo(path) -> List[Sentence]:
    """Weibo NER (2nd version): named mentions only (``NAM``), GPE mapped to LOC."""
    return read_char_bio(path, WEIBO_TYPES, strip_digit=True)


def read_cluener(path) -> List[Sentence]:
    """CLUENER2020 JSON lines; name -> PER, address -> LOC, organization/company/government -> ORG."""
    sentences: List[Sentence] = []
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            record = json.loads(line)
            text = record["text"]
            spans = []
            for raw, mentions in record.get("label", {}).items():
                kind = CLUENER_TYPES.get(raw)
                if kind is None:
                    continue
                for mention, positions in mentions.items():
                    for start, end_inclusive in positions:
                        if text[start : end_inclusive + 1] != mention:
                            raise ValueError(f"{path}:{line_no}: {mention!r} is not at [{start}, {end_inclusive}]")
                        spans.append((kind, start, end_inclusive + 1))
            sentences.append((text, _drop_overlaps(sorted(spans, key=lambda s: (s[1], -s[2])))))
    return sentences


def _drop_overlaps(spans: List[Span]) -> List[Span]:
    kept: List[Span] = []
    for span in spans:
        if not kept or span[1] >= kept[-1][2]:
            kept.append(span)
    return kept


def split_dev(sentences: Sequence[Sentence], dev_size: int):
    """The dev split is the last ``dev_size`` sentences (deterministic, no shuffling)."""
    if not 0 < dev_size < len(sentences):
        raise ValueError(f"dev size {dev_size} does not fit {len(sentences)} sentences")
    return list(sentences[:-dev_size]), list(sentences[-dev_size:])


def read_dataset(data_dir, name: str, msra_dev_size: int = MSRA_DEV_SIZE, cluener_dev_size: int = CLUENER_DEV_SIZE):
    """``(train, dev)`` sentences of one data set with its fixed dev split (see ``DATASETS``)."""
    data = Path(data_dir)
    if name == "msra":
        return split_dev(read_msra(data / "msra" / "train.bio.tsv"), msra_dev_size)
    if name == "cluener":
        return split_dev(read_cluener(data / "cluener2020" / "train.json"), cluener_dev_size)
    if name == "weibo":
        train = [s for path in sorted((data / "weibo").glob("*.train")) for s in read_weibo(path)]
        dev = [s for path in sorted((data / "weibo").glob("*.dev")) for s in read_weibo(path)]
        return train, dev
    if name == "resume":
        return read_resume(data / "resume" / "train.char.bmes"), read_resume(data / "resume" / "dev.char.bmes")
    raise ValueError(f"unknown data set {name!r} (known: {', '.join(DATASETS)})")


def parse_mixture(spec: str) -> Dict[str, float]:
    """``"msra=1,cluener=1,weibo=2"`` -> ``{name: weight}``; a bare name has weight 1. A weight is how many
    times each training sentence of that set is used per epoch: 2 repeats it, 0.5 samples half of it."""
    mixture: Dict[str, float] = {}
    for item in (part.strip() for part in spec.split(",")):
        if not item:
            continue
        name, _, weight = item.partition("=")
        if name not in DATASETS:
            raise ValueError(f"unknown data set {name!r} in the mixture (known: {', '.join(DATASETS)})")
        try:
            mixture[name] = float(weight) if weight else 1.0
        except ValueError:
            raise ValueError(f"weight of {name!r} is not a number: {weight!r}") from None
        if not 0 < mixture[name] <= 10:
            raise ValueError(f"weight of {name!r} must be in (0, 10], got {weight}")
    if not mixture:
        raise ValueError("the mixture names no data set")
    return mixture


def mix(train_sets: Dict[str, List[Sentence]], mixture: Dict[str, float], seed: int) -> List[Sentence]:
    """One epoch's training sentences: each set repeated ``int(weight)`` times plus a seeded sample of the
    fractional part (so the mixture is reproducible)."""

    rng = random.Random(seed)
    out: List[Sentence] = []
    for name, weight in mixture.items():
        sentences = train_sets[name]
        whole, fraction = int(weight), weight - int(weight)
        out += list(sentences) * whole
        if fraction:
            out += rng.sample(list(sentences), round(len(sentences) * fraction))
    return out


class Corpora(NamedTuple):
    """Training and dev sentences per data set (only the sets of the mixture are read; dev sets are always
    all four, so every model is scored on the same four)."""

    train: Dict[str, List[Sentence]]
    dev: Dict[str, List[Sentence]]


def load_corpora(data_dir, mixture: Dict[str, float], dev_sets: Sequence[str] = DATASETS, msra_dev_size: int = MSRA_DEV_SIZE,
                 cluener_dev_size: int = CLUENER_DEV_SIZE) -> Corpora:
    train, dev = {}, {}
    for name in DATASETS:
        if name not in mixture and name not in dev_sets:
            continue
        t, d = read_dataset(data_dir, name, msra_dev_size=msra_dev_size, cluener_dev_size=cluener_dev_size)
        if name in mixture:
            train[name] = t
        if name in dev_sets:
            dev[name] = d
    return Corpora(train, dev)


class Row(NamedTuple):
    """One model row: piece ids with [CLS]/[SEP], the row position of each word's first piece, the word
    label ids (BIOES), and the words' code-point spans."""

    input_ids: List[int]
    first_pieces: List[int]
    tags: List[int]
    word_spans: List[Tuple[int, int]]


def word_tags(words, spans: Sequence[Span]) -> List[int]:
    """BIOES label ids per word: a word belongs to the entity holding its first code point."""
    owner = [None] * len(words)
    for index, (kind, start, end) in enumerate(spans):
        for w, word in enumerate(words):
            if start <= word.start < end:
                owner[w] = (index, kind)
    tags = []
    for w, own in enumerate(owner):
        if own is None:
            tags.append(LABEL_IDS["O"])
            continue
        first = w == 0 or owner[w - 1] != own
        last = w == len(owner) - 1 or owner[w + 1] != own
        prefix = "S" if first and last else "B" if first else "E" if last else "I"
        tags.append(LABEL_IDS[f"{prefix}-{own[1]}"])
    return tags


def to_rows(tokenizer: BertWordPieceTokenizer, text: str, spans: Sequence[Span], max_words: int) -> List[Row]:
    """The rows of one sentence, at most ``max_words`` words each (long sentences are cut at word bounds)."""
    words = tokenizer.encode_words(text)
    tags = word_tags(words, spans)
    rows = []
    for begin in range(0, len(words), max_words):
        chunk = words[begin : begin + max_words]
        ids = [tokenizer.cls_id]
        first = []
        for word in chunk:
            first.append(len(ids))
            ids.extend(word.piece_ids)
        ids.append(tokenizer.sep_id)
        rows.append(Row(ids, first, tags[begin : begin + max_words], [(w.start, w.end) for w in chunk]))
    return rows
