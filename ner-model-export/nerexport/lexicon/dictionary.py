"""Reads a jieba-format dictionary (``word freq pos`` per line; Debian's python3-jieba ships ``dict.txt``,
349,046 words, MIT) into word-piece n-grams with a bit set of what the word is. Pure functions."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Dict, Optional, Tuple

# One bit per part-of-speech group, and one for frequent words (about the top tenth of dict.txt).
GROUP_BITS = {"nr": 0, "nrt": 0, "nrfg": 0, "ns": 1, "nt": 2, "nz": 3, "j": 4, "n": 5, "ng": 5, "vn": 5}
OTHER_BIT = 6
FREQUENT_BIT = 7
FREQUENT_MIN = 100
BITS = 8
GROUP_NAMES = ["person", "place", "organisation", "other proper noun", "abbreviation", "common noun", "other", "frequent"]
MAX_PIECES = 8  # 99.9 % of dict.txt's words have at most 8 characters


def default_dictionary_path() -> Optional[Path]:
    """jieba's dict.txt from the installed python3-jieba, or None."""
    try:
        import jieba
    except ImportError:
        return None
    path = Path(jieba.__file__).resolve().parent / "dict.txt"
    return path if path.is_file() else None


def word_bits(freq: int, pos: str) -> int:
    bits = 1 << GROUP_BITS.get(pos, OTHER_BIT)
    if freq >= FREQUENT_MIN:
        bits |= 1 << FREQUENT_BIT
    return bits


def read_dictionary(path, tokenizer, max_pieces: int = MAX_PIECES) -> Dict[Tuple[int, ...], int]:
    """``{piece ids: bits}``: each word NFKC-normalised and split into word-pieces by ``tokenizer`` (the
    bundle's), so it matches the rows the model sees; words with ``[UNK]``, with more than ``max_pieces``
    pieces or that are not one run of pieces are left out; duplicates OR their bits."""
    entries: Dict[Tuple[int, ...], int] = {}
    with open(path, encoding="utf-8") as f:
        for line_no, line in enumerate(f, 1):
            parts = line.split()
            if not parts:
                continue
            if len(parts) < 2 or not parts[1].isdigit():
                raise ValueError(f"{path}:{line_no}: expected 'word freq [pos]', got {line.strip()!r}")
            word = unicodedata.normalize("NFKC", parts[0])
            pieces = [p.id for p in tokenizer.encode(word)]
            if not pieces or len(pieces) > max_pieces or tokenizer.unk_id in pieces:
                continue
            key = tuple(pieces)
            entries[key] = entries.get(key, 0) | word_bits(int(parts[1]), parts[2] if len(parts) > 2 else "")
    return entries
