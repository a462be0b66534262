"""Reference decoding of a bundle's emissions into entities, exactly as docs/model-bundle.md fixes it.

This is the Python half of the decoding that ner-api implements in Java; golden files record its output
so the Java decoder can be checked against it. Steps: CRF Viterbi over the first-piece emissions with
start/transition/end scores (:func:`viterbi`), tags to chunks with the RaNER pipeline's rules
(:func:`chunk`), ``prob`` as the softmax of the chunk's first position (:func:`prob`), and offsets from the
words' code-point spans (:func:`decode_entities`).
"""

from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

import numpy as np

Chunk = Tuple[str, int, int]  # (type, first position, last position), positions inclusive


def viterbi(emissions, start, end, transitions) -> List[int]:
    """Best tag sequence for ``emissions[T, L]`` under a linear-chain CRF.

    Score of tags ``y``: ``start[y0] + sum_t emissions[t, y_t] + sum_t transitions[y_{t-1}, y_t] + end[y_T-1]``
    (transitions indexed ``[from][to]``). Ties go to the lowest tag index (first maximum), as
    ``argmax`` does in PyTorch, NumPy and the Java decoder. Returns ``[]`` for ``T == 0``.
    """
    em = np.asarray(emissions, dtype=np.float64)
    if em.ndim != 2:
        raise ValueError(f"emissions must be [T, L], got shape {em.shape}")
    steps, labels = em.shape
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    trans = np.asarray(transitions, dtype=np.float64)
    if start.shape != (labels,) or end.shape != (labels,) or trans.shape != (labels, labels):
        raise ValueError(
            f"CRF shapes start{start.shape} end{end.shape} transitions{trans.shape} do not fit {labels} labels"
        )
    if steps == 0:
        return []
    score = start + em[0]
    backpointers = np.zeros((steps, labels), dtype=np.int64)
    for t in range(1, steps):
        # candidate[from, to] = score[from] + transitions[from, to]
        candidate = score[:, None] + trans
        backpointers[t] = np.argmax(candidate, axis=0)
        score = candidate[backpointers[t], np.arange(labels)] + em[t]
    score = score + end
    best = int(np.argmax(score))
    tags = [best]
    for t in range(steps - 1, 0, -1):
        best = int(backpointers[t, best])
        tags.append(best)
    tags.reverse()
    return tags


def split_label(label: str) -> Tuple[str, Optional[str]]:
    """``"B-PER"`` -> ``("B", "PER")``; ``"O"`` -> ``("O", None)``. Rejects anything else."""
    if label == "O":
        return "O", None
    prefix, sep, entity_type = label.partition("-")
    if sep != "-" or prefix not in ("B", "I", "E", "S") or not entity_type:
        raise ValueError(f"label {label!r} is neither 'O' nor B-/I-/E-/S-<TYPE>")
    return prefix, entity_type


def chunk(tags: Sequence[int], labels: Sequence[str]) -> List[Chunk]:
    """Tags to chunks with the RaNER pipeline's rules (``_chunk_process``), per position in order:

    ``B`` or ``S`` starts a new chunk (closing any open one); ``I`` or ``E`` with no open chunk starts one;
    ``I``, ``E`` and ``S`` set the chunk's end; ``E`` and ``S`` close it; ``O`` does nothing (an open chunk
    stays open across ``O``). The type is that of the starting tag. A chunk open at the end closes there.
    """
    parsed = [split_label(labels[t]) for t in tags]
    chunks: List[Chunk] = []
    open_chunk: Optional[List] = None  # [type, first, last]
    for position, (prefix, entity_type) in enumerate(parsed):
        if prefix in ("B", "S"):
            if open_chunk is not None:
                chunks.append(tuple(open_chunk))
            open_chunk = [entity_type, position, position]
        elif prefix in ("I", "E") and open_chunk is None:
            open_chunk = [entity_type, position, position]
        if prefix in ("I", "E", "S"):
            open_chunk[2] = position
        if prefix in ("E", "S"):
            chunks.append(tuple(open_chunk))
            open_chunk = None
    if open_chunk is not None:
        chunks.append(tuple(open_chunk))
    return chunks


def softmax(row) -> np.ndarray:
    row = np.asarray(row, dtype=np.float64)
    shifted = np.exp(row - row.max())
    return shifted / shifted.sum()


def prob(emissions, position: int, tag: int) -> float:
    """softmax(emissions[position])[tag]: the pipeline's entity probability (not a CRF marginal)."""
    return float(softmax(np.asarray(emissions)[position])[tag])


def decode_entities(text: str, words, emissions_first_pieces, meta: dict) -> List[dict]:
    """Entities of ``text`` from its words (``start``/``end`` code-point spans, e.g. tokenization.Word)
    and the emissions at each word's first piece (``[len(words), L]``), with ``meta`` the ner-model.json
    object (``labels`` and ``crf``). Returns ``[{"type", "start", "end", "span", "prob"}]`` in text order.
    """
    labels = meta["labels"]
    emissions = np.asarray(emissions_first_pieces, dtype=np.float64)
    if emissions.ndim != 2 or emissions.shape[0] != len(words):
        raise ValueError(f"emissions shape {emissions.shape} does not hold one row per word ({len(words)} words)")
    if emissions.shape[1] != len(labels):
        raise ValueError(f"emissions have {emissions.shape[1]} labels, the model declares {len(labels)}")
    crf = meta["crf"]
    tags = viterbi(emissions, crf["start"], crf["end"], crf["transitions"])
    entities = []
    for entity_type, first, last in chunk(tags, labels):
        start, end = words[first].start, words[last].end
        entities.append(
            {
                "type": entity_type,
                "start": start,
                "end": end,
                "span": text[start:end],
                "prob": prob(emissions, first, tags[first]),
            }
        )
    return entities


def viterbi_margin(emissions, start, end, transitions) -> float:
    """How much the best path's score exceeds that of any other path (``inf`` for ``T == 0``, or when
    only one path exists).

    Any other path differs from the best one at some position, so its score is at most the best score
    among paths forced through a different tag there: ``max_t,y!=best_t alpha[t, y] + beta[t, y]``
    (forward and backward max-sums). Emissions that move by at most ``eps`` move every path's score by at
    most ``T * eps``, so a margin above ``2 * T * eps`` proves the decoded tags cannot change, e.g. between
    Python's PyTorch emissions and Java's ONNX Runtime emissions within a golden file's ``atol``.
    """
    em = np.asarray(emissions, dtype=np.float64)
    steps, labels = em.shape
    if steps == 0 or (steps == 1 and labels == 1):
        return float("inf")
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    trans = np.asarray(transitions, dtype=np.float64)
    alpha = np.zeros((steps, labels))
    alpha[0] = start + em[0]
    for t in range(1, steps):
        alpha[t] = np.max(alpha[t - 1][:, None] + trans, axis=0) + em[t]
    beta = np.zeros((steps, labels))
    beta[-1] = end
    for t in range(steps - 2, -1, -1):
        beta[t] = np.max(trans + (em[t + 1] + beta[t + 1])[None, :], axis=1)
    through = alpha + beta  # best score of a path with tag y at position t
    best_tags = viterbi(em, start, end, trans)
    best = through[0, best_tags[0]]
    others = through.copy()
    others[np.arange(steps), best_tags] = -np.inf
    return float(best - np.max(others)) if labels > 1 else float("inf")
