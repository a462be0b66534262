"""BERT WordPiece tokenization for model bundles: the `tokenizer.json` writer and a Python reference.

Two things live here, and they must agree with each other:

* :func:`write_tokenizer_json` writes the HuggingFace ``tokenizers`` file that ner-api loads with DJL
  (WordPiece model with ``"type": "WordPiece"``, BertNormalizer, BertPreTokenizer, ``[CLS] A [SEP]``
  template, the special tokens as added tokens), as fixed by docs/model-bundle.md.
* :class:`BertWordPieceTokenizer` is a pure-Python re-implementation of what that file makes the Rust
  ``tokenizers`` library do (BertNormalizer -> added-token split -> BertPreTokenizer -> WordPiece), plus the
  bundle's ``NFKC`` step in front of it. It returns *words* (one pre-tokenizer word each, the unit that
  carries a label) with their word-piece ids and code-point offsets into the original text. The exporter
  uses it to build golden files and the compact-model trainer uses it to build training rows, so Python
  and Java see the same pieces.

NFKC with offsets (as ner-api's ``NormalizedText`` does it): the text is cut into clusters, a code point
with the combining marks (categories Mn, Mc, Me) that follow it. A cluster that is already NFKC-normal is
kept code point by code point, each mapping to itself; any other cluster is replaced by its NFKC form, and
every code point of that form maps to the whole cluster's range in the original text (``㈱`` -> ``(株)``,
three code points on one original; ``e`` + U+0301 -> ``é`` on two).

Checked against the real thing: on 600 random strings mixing CJK, Latin, full-width forms, emoji, astral
and unassigned code points, controls, format characters, accents, combining marks, literal special tokens
and every kind of whitespace, these pieces and offsets equal those of HuggingFace ``tokenizers`` run through
DJL (0.36.0) with the bundle's ``tokenizer.json``. Its ``clean_text`` removes Cc, Cf, Co and Cs characters
but keeps unassigned (Cn) ones, which become ``[UNK]``. Character classes here come from Python's
``unicodedata`` (Unicode 14 on Debian 12); characters assigned after that may be classed differently.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple

SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
REQUIRED_SPECIAL_TOKENS = ("[PAD]", "[UNK]", "[CLS]", "[SEP]")
CONTINUING_SUBWORD_PREFIX = "##"
MAX_INPUT_CHARS_PER_WORD = 100

# Unicode White_Space, the set Rust's char::is_whitespace tests (Python's str.isspace() also counts
# U+001C..U+001F, which Rust treats as control characters).
_WHITE_SPACE = frozenset(
    [0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
    + list(range(0x2000, 0x200B))
)
_OTHER_CATEGORIES = frozenset(["Cc", "Cf", "Co", "Cs"])
_PUNCTUATION_CATEGORIES = frozenset(["Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps"])
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_CJK_RANGES = (
    (0x4E00, 0x9FFF),
    (0x3400, 0x4DBF),
    (0x20000, 0x2A6DF),
    (0x2A700, 0x2B73F),
    (0x2B740, 0x2B81F),
    (0x2B920, 0x2CEAF),  # sic: the Rust library's range, which skips U+2B820..U+2B91F
    (0xF900, 0xFAFF),
    (0x2F800, 0x2FA1F),
)


def is_whitespace(ch: str) -> bool:
    """BertNormalizer's whitespace: tab, newline, carriage return and Unicode White_Space."""
    return ord(ch) in _WHITE_SPACE


def is_control(ch: str) -> bool:
    """BertNormalizer's control test: Unicode 'Other' categories, except tab, newline, carriage return."""
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in _OTHER_CATEGORIES


def is_punctuation(ch: str) -> bool:
    """BertPreTokenizer's punctuation: any ASCII punctuation (incl. $+<=>^`|~) or a Unicode P* category."""
    return ch in _ASCII_PUNCTUATION or unicodedata.category(ch) in _PUNCTUATION_CATEGORIES


def is_cjk(ch: str) -> bool:
    """BertNormalizer's `handle_chinese_chars` test (CJK unified ideographs and compatibility blocks)."""
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _CJK_RANGES)


def read_vocab(vocab_path) -> Dict[str, int]:
    """Reads a BERT ``vocab.txt``: one token per line, the id is the line number (0-based)."""
    vocab: Dict[str, int] = {}
    with open(vocab_path, encoding="utf-8") as f:
        for index, line in enumerate(f):
            token = line.rstrip("\r\n")
            # A duplicated token keeps its first id, as HuggingFace's vocabulary loader does.
            vocab.setdefault(token, index)
    missing = [t for t in REQUIRED_SPECIAL_TOKENS if t not in vocab]
    if missing:
        raise ValueError(f"{vocab_path}: vocabulary lacks the special tokens {missing}")
    return vocab


def tokenizer_json_dict(vocab: Dict[str, int], lowercase: bool) -> dict:
    """The HuggingFace tokenizer.json object for this vocabulary (see docs/model-bundle.md)."""
    added = [
        {
            "id": vocab[token],
            "special": True,
            "content": token,
            "single_word": False,
            "lstrip": False,
            "rstrip": False,
            "normalized": False,
        }
        for token in SPECIAL_TOKENS
        if token in vocab
    ]
    added.sort(key=lambda t: t["id"])
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": {
            "type": "BertNormalizer",
            "clean_text": True,
            "handle_chinese_chars": True,
            # null = follow `lowercase`, as BERT's own tokenizer does
            "strip_accents": None,
            "lowercase": bool(lowercase),
        },
        "pre_tokenizer": {"type": "BertPreTokenizer"},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
            ],
            "pair": [
                {"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                {"Sequence": {"id": "A", "type_id": 0}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                {"Sequence": {"id": "B", "type_id": 1}},
                {"SpecialToken": {"id": "[SEP]", "type_id": 1}},
            ],
            "special_tokens": {
                "[CLS]": {"id": "[CLS]", "ids": [vocab["[CLS]"]], "tokens": ["[CLS]"]},
                "[SEP]": {"id": "[SEP]", "ids": [vocab["[SEP]"]], "tokens": ["[SEP]"]},
            },
        },
        "decoder": {"type": "WordPiece", "prefix": CONTINUING_SUBWORD_PREFIX, "cleanup": True},
        "model": {
            "type": "WordPiece",
            "unk_token": "[UNK]",
            "continuing_subword_prefix": CONTINUING_SUBWORD_PREFIX,
            "max_input_chars_per_word": MAX_INPUT_CHARS_PER_WORD,
            "vocab": vocab,
        },
    }


def write_tokenizer_json(vocab_path, out_path, lowercase: bool) -> Path:
    """Writes a HuggingFace ``tokenizer.json`` for a BERT ``vocab.txt``; returns the written path."""
    vocab = read_vocab(vocab_path)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(tokenizer_json_dict(vocab, lowercase), f, ensure_ascii=False, separators=(",", ":"))
    return out


class Word(NamedTuple):
    """One pre-tokenizer word: its word-piece ids and its span ``[start, end)`` in code points of the
    original text. The word's label sits on ``piece_ids[0]``."""

    piece_ids: List[int]
    start: int
    end: int


class Piece(NamedTuple):
    """One word-piece with its span ``[start, end)`` in code points of the original text."""

    id: int
    token: str
    start: int
    end: int


# A normalised character and the range [start, end) of original code points it came from.
_Chars = List[Tuple[str, int, int]]
_COMBINING_MARKS = frozenset(["Mn", "Mc", "Me"])


class BertWordPieceTokenizer:
    """Pure-Python reference of the bundle's tokenizer (see the module docstring). Thread-safe: immutable
    after construction."""

    def __init__(self, vocab_path=None, lowercase: bool = True, normalization: str = "NFKC", *, vocab=None):
        if (vocab_path is None) == (vocab is None):
            raise ValueError("give exactly one of vocab_path and vocab")
        if normalization not in ("NFKC", "none"):
            raise ValueError(f"normalization must be 'NFKC' or 'none', not {normalization!r}")
        self.vocab: Dict[str, int] = dict(vocab) if vocab is not None else read_vocab(vocab_path)
        missing = [t for t in REQUIRED_SPECIAL_TOKENS if t not in self.vocab]
        if missing:
            raise ValueError(f"vocabulary lacks the special tokens {missing}")
        self.lowercase = bool(lowercase)
        self.normalization = normalization
        self.id_to_token = {i: t for t, i in self.vocab.items()}
        self.pad_id = self.vocab["[PAD]"]
        self.unk_id = self.vocab["[UNK]"]
        self.cls_id = self.vocab["[CLS]"]
        self.sep_id = self.vocab["[SEP]"]
        # Added tokens are matched, longest first, on the (NFKC-normalised) text before BertNormalizer.
        self._added = sorted((t for t in SPECIAL_TOKENS if t in self.vocab), key=len, reverse=True)

    # ---- normalisation -------------------------------------------------------------------------

    def _pre_normalize(self, text: str) -> _Chars:
        """The bundle's `normalization` step: NFKC cluster by cluster, keeping the offset map."""
        if self.normalization == "none" or unicodedata.is_normalized("NFKC", text):
            return [(c, i, i + 1) for i, c in enumerate(text)]
        out: _Chars = []
        start = 0
        while start < len(text):
            end = start + 1
            while end < len(text) and unicodedata.category(text[end]) in _COMBINING_MARKS:
                end += 1
            cluster = text[start:end]
            if unicodedata.is_normalized("NFKC", cluster):
                out.extend((c, start + k, start + k + 1) for k, c in enumerate(cluster))
            else:
                out.extend((n, start, end) for n in unicodedata.normalize("NFKC", cluster))
            start = end
        return out

    def _bert_normalize(self, chars: _Chars) -> _Chars:
        """BertNormalizer: clean_text, handle_chinese_chars, strip_accents (= lowercase), lowercase."""
        cleaned: _Chars = []
        for c, s, e in chars:
            if c == "\x00" or c == "\ufffd" or is_control(c):
                continue
            cleaned.append((" " if is_whitespace(c) else c, s, e))
        spaced: _Chars = []
        for c, s, e in cleaned:
            if is_cjk(c):
                spaced.extend([(" ", s, e), (c, s, e), (" ", s, e)])
            else:
                spaced.append((c, s, e))
        if not self.lowercase:
            return spaced
        stripped: _Chars = []
        for c, s, e in spaced:
            stripped.extend((d, s, e) for d in unicodedata.normalize("NFD", c) if unicodedata.category(d) != "Mn")
        lowered: _Chars = []
        for c, s, e in stripped:
            # Per character, as Rust's char::to_lowercase (no final-sigma context rule).
            lowered.extend((d, s, e) for d in c.lower())
        return lowered

    def normalize(self, text: str) -> str:
        """The text the pre-tokenizer sees (for inspection and tests)."""
        return "".join(c for c, _, _ in self._bert_normalize(self._pre_normalize(text)))

    # ---- splitting ---------------------------------------------------------------------------------

    def _split_added_tokens(self, chars: _Chars) -> List[Tuple[bool, _Chars]]:
        """Splits out literal special tokens (leftmost-longest), as HuggingFace's AddedVocabulary does."""
        text = "".join(c for c, _, _ in chars)
        parts: List[Tuple[bool, _Chars]] = []
        pos = last = 0
        while pos < len(text):
            match = next((t for t in self._added if text.startswith(t, pos)), None)
            if match is None:
                pos += 1
                continue
            if last < pos:
                parts.append((False, chars[last:pos]))
            parts.append((True, chars[pos : pos + len(match)]))
            pos = last = pos + len(match)
        if last < len(text):
            parts.append((False, chars[last:]))
        return parts

    @staticmethod
    def _pre_tokenize(chars: _Chars) -> List[_Chars]:
        """BertPreTokenizer: whitespace separates words and is dropped; each punctuation mark is a word."""
        words: List[_Chars] = []
        current: _Chars = []
        for ch in chars:
            if is_whitespace(ch[0]):
                if current:
                    words.append(current)
                current = []
            elif is_punctuation(ch[0]):
                if current:
                    words.append(current)
                words.append([ch])
                current = []
            else:
                current.append(ch)
        if current:
            words.append(current)
        return words

    def _word_piece(self, word: _Chars) -> List[Piece]:
        """Greedy longest-match-first WordPiece; a word with an unmatched part is one ``[UNK]``."""
        text = "".join(c for c, _, _ in word)
        unk = [Piece(self.unk_id, "[UNK]", min(s for _, s, _ in word), max(e for _, _, e in word))]
        if len(text) > MAX_INPUT_CHARS_PER_WORD:
            return unk
        pieces: List[Piece] = []
        start = 0
        while start < len(text):
            end = len(text)
            found = None
            while start < end:
                candidate = text[start:end] if start == 0 else CONTINUING_SUBWORD_PREFIX + text[start:end]
                if candidate in self.vocab:
                    found = candidate
                    break
                end -= 1
            if found is None:
                return unk
            span = word[start:end]
            pieces.append(Piece(self.vocab[found], found, min(s for _, s, _ in span), max(e for _, _, e in span)))
            start = end
        return pieces

    # ---- public API --------------------------------------------------------------------------------

    def encode_word_pieces(self, text: str) -> List[List[Piece]]:
        """The word-pieces of each word of ``text``, offsets in code points of the original text."""
        words: List[List[Piece]] = []
        for is_special, chars in self._split_added_tokens(self._pre_normalize(text)):
            if is_special:
                token = "".join(c for c, _, _ in chars)
                words.append([Piece(self.vocab[token], token, chars[0][1], chars[-1][2])])
                continue
            for word in self._pre_tokenize(self._bert_normalize(chars)):
                words.append(self._word_piece(word))
        return words

    def encode_words(self, text: str) -> List[Word]:
        """The words of ``text``: piece ids and the code-point span ``[start, end)`` of all their pieces."""
        return [
            Word([p.id for p in pieces], min(p.start for p in pieces), max(p.end for p in pieces))
            for pieces in self.encode_word_pieces(text)
        ]

    def encode(self, text: str) -> List[Piece]:
        """All word-pieces of ``text`` in order, without special tokens (what DJL's ``encode`` returns with
        ``addSpecialTokens=false``)."""
        return [p for pieces in self.encode_word_pieces(text) for p in pieces]


class Window(NamedTuple):
    """One model row: ``[CLS] pieces... [SEP]`` and, per word, the row position of its first piece."""

    input_ids: List[int]
    first_piece_positions: List[int]


def build_single_window(words: Sequence[Word], cls_id: int, sep_id: int, max_word_pieces: int) -> Window:
    """The single row holding every word, as the golden files record it; fails when it does not fit."""
    input_ids = [cls_id]
    positions: List[int] = []
    for word in words:
        positions.append(len(input_ids))
        input_ids.extend(word.piece_ids)
    input_ids.append(sep_id)
    if len(input_ids) > max_word_pieces:
        raise ValueError(f"{len(input_ids)} word-pieces do not fit one row of {max_word_pieces}")
    return Window(input_ids, positions)


def pad_rows(rows: Iterable[Sequence[int]], pad_id: int, length: Optional[int] = None):
    """Pads rows to one length; returns ``(input_ids, attention_mask)`` as lists of lists."""
    rows = [list(r) for r in rows]
    width = max([len(r) for r in rows] + [length or 0])
    ids = [r + [pad_id] * (width - len(r)) for r in rows]
    mask = [[1] * len(r) + [0] * (width - len(r)) for r in rows]
    return ids, mask
