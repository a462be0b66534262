"""Training data for the compact model: readers for MSRA, CLUENER2020 and Weibo NER (mapped to PER/LOC/ORG),
the deterministic dev split, and the conversion of a sentence into a model row exactly as ner-api builds it.

A sentence is ``(text, spans)`` with ``spans`` a list of ``(type, start, end)`` in code points, end exclusive.
A model row is ``[CLS] pieces... [SEP]`` built with the reference tokenizer (nerexport.tokenization); the
word labels (BIOES) sit on each word's first piece, as the bundle contract fixes.
"""

from __future__ import annotations

import re

import json
from pathlib import Path
from typing import Iterable, List, NamedTuple, Sequence, Tuple

from nerexport.tokenization import BertWordPieceTokenizer

TYPES = ("PER", "LOC", "ORG")
LABELS = ["O"] + [f"{p}-{t}" for t in TYPES for p in ("B", "I", "E", "S")]
LABEL_IDS = {label: i for i, label in enumerate(LABELS)}

Span = Tuple[str, int, int]
Sentence = Tuple[str, List[Span]]

CLUENER_TYPES = {"name": "PER", "address": "LOC", "organization": "ORG", "company": "ORG", "government": "ORG"}
WEIBO_TYPES = {"PER.NAM": "PER", "LOC.NAM": "LOC", "GPE.NAM": "LOC", "ORG.NAM": "ORG"}


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


def read_char_bio(path, type_map=None, strip_digit: bool = False) -> List[Sentence]:
    """One ``char<TAB>tag`` per line, blank line between sentences (MSRA; Weibo with ``strip_digit``, whose
    character column carries a trailing segmentation digit)."""
    sentences: List[Sentence] = []
    chars: List[str] = []
    tags: List[str] = []

    def flush():
        if chars:
            sentences.append(("".join(chars), bio_spans(tags, type_map)))
        chars.clear()
        tags.clear()

    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                flush()
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


def read_msra(path) -> List[Sentence]:
    return read_char_bio(path)


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


def load_corpora(data_dir, dev_size: int, extra: Iterable[str] = ()):
    """MSRA train minus its last ``dev_size`` sentences (+ the ``extra`` corpora: ``cluener``, ``weibo``) for
    training, and those last MSRA sentences as dev."""
    data = Path(data_dir)
    train, dev = split_dev(read_msra(data / "msra" / "train.bio.tsv"), dev_size)
    for name in extra:
        if name == "cluener":
            train += read_cluener(data / "cluener2020" / "train.json")
        elif name == "weibo":
            for path in sorted((data / "weibo").glob("*.train")):
                train += read_weibo(path)
        else:
            raise ValueError(f"unknown extra corpus {name!r} (known: cluener, weibo)")
    return train, dev


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
