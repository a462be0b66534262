"""An exact hash table of piece-id n-grams, laid out so that a graph can look a key up with two ``Gather``s.

Key of an n-gram ``p_0 .. p_{L-1}``: two polynomial hashes ``h = (h * BASE + p + 1) mod PRIME`` with
different primes below 2^31, combined as ``h1 * 2^31 + h2`` (62 bits; every intermediate stays below 2^62,
so int64 arithmetic is exact in NumPy, PyTorch and ONNX Runtime alike). Two n-grams share a key only if both
31-bit hashes collide.

The table is a cuckoo table: a key lives in slot ``key mod M`` or ``(key div M) mod M``, so a lookup reads
both slots and compares the stored key; ``keys[slot] == -1`` marks an empty slot. Thread-safe once built
(arrays only).
"""

from __future__ import annotations

import random
from typing import Dict, NamedTuple, Tuple

import numpy as np

PRIME_1, BASE_1 = 2147483629, 1000003
PRIME_2, BASE_2 = 2147483587, 916969
SHIFT = 2147483648  # 2^31
EMPTY = -1


def ngram_key(pieces) -> int:
    h1 = h2 = 0
    for p in pieces:
        h1 = (h1 * BASE_1 + p + 1) % PRIME_1
        h2 = (h2 * BASE_2 + p + 1) % PRIME_2
    return h1 * SHIFT + h2


class LexiconTable(NamedTuple):
    keys: np.ndarray  # int64 [M], EMPTY where free
    values: np.ndarray  # uint8 [M], the word's bits
    max_pieces: int

    @property
    def size(self) -> int:
        return int(self.keys.shape[0])

    def lookup(self, pieces) -> int:
        key = ngram_key(pieces)
        for slot in (key % self.size, (key // self.size) % self.size):
            if self.keys[slot] == key:
                return int(self.values[slot])
        return 0


def _is_prime(n: int) -> bool:
    if n < 2:
        return False
    i = 2
    while i * i <= n:
        if n % i == 0:
            return False
        i += 1
    return True


def build_table(entries: Dict[Tuple[int, ...], int], load: float = 0.4, seed: int = 0) -> LexiconTable:
    """The cuckoo table of ``entries`` (``{piece ids: bits}``) at about ``load`` slots filled; grows the table
    and retries when an insertion cycles. Deterministic for the same entries and seed."""
    if not entries:
        raise ValueError("an empty dictionary")
    keyed: Dict[int, int] = {}
    for pieces, bits in entries.items():
        key = ngram_key(pieces)
        keyed[key] = keyed.get(key, 0) | bits  # a full 62-bit collision merges the two words' bits
    max_pieces = max(len(p) for p in entries)
    size = int(len(keyed) / load) | 1
    rng = random.Random(seed)
    while True:
        while not _is_prime(size):
            size += 2
        table = _try_insert(keyed, size, rng)
        if table is not None:
            return LexiconTable(table[0], table[1], max_pieces)
        size = int(size * 1.1) | 1


def _try_insert(keyed: Dict[int, int], size: int, rng: random.Random):
    keys = np.full(size, EMPTY, dtype=np.int64)
    values = np.zeros(size, dtype=np.uint8)
    for key in sorted(keyed):
        value = keyed[key]
        slot = key % size
        for _ in range(500):
            if keys[slot] == EMPTY:
                keys[slot], values[slot] = key, value
                break
            # evict the occupant to its other slot
            keys[slot], key = key, int(keys[slot])
            values[slot], value = value, int(values[slot])
            first, second = key % size, (key // size) % size
            slot = second if slot == first else first
        else:
            return None
    return keys, values
