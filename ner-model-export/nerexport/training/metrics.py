"""Strict span scores and error analysis over ``{(type, start, end)}`` sets per sentence. Pure functions."""

from __future__ import annotations

from typing import Dict, Mapping, Sequence

from nerexport.training.data import TYPES


def score(gold: Sequence[set], predicted: Sequence[set]) -> Dict[str, dict]:
    """Strict span micro P/R/F1 overall and per type."""
    out = {}
    for kind in list(TYPES) + ["overall"]:
        keep = (lambda s: True) if kind == "overall" else (lambda s, k=kind: s[0] == k)
        tp = sum(len({s for s in g if keep(s)} & {s for s in p if keep(s)}) for g, p in zip(gold, predicted))
        n_gold = sum(1 for g in gold for s in g if keep(s))
        n_pred = sum(1 for p in predicted for s in p if keep(s))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_gold if n_gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        out[kind] = {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                     "gold": n_gold, "predicted": n_pred}
    return out


def mean_f1(scores_by_set: Mapping[str, Dict[str, dict]]) -> float:
    """The unweighted mean over data sets of each set's overall micro-F1: how a model is ranked, so that the
    small sets (Weibo, Resume) count as much as MSRA."""
    return round(sum(s["overall"]["f1"] for s in scores_by_set.values()) / len(scores_by_set), 4)


def recall_by_exposure(train_sentences, sentences, predicted: Sequence[set]) -> Dict[str, dict]:
    """Recall on the gold entities whose text and type occur as an entity in ``train_sentences`` ("seen")
    and on the others ("unseen"): how much of a score is names the model was shown."""
    seen = {(text[a:b], kind) for text, spans in train_sentences for kind, a, b in spans}
    counts = {"seen": [0, 0], "unseen": [0, 0]}
    for (text, spans), found in zip(sentences, predicted):
        for span in spans:
            hits = counts["seen" if (text[span[1] : span[2]], span[0]) in seen else "unseen"]
            hits[0] += span in found
            hits[1] += 1
    return {k: {"recall": round(hit / n, 4) if n else 0.0, "gold": n} for k, (hit, n) in counts.items()}


def error_breakdown(gold: Sequence[set], predicted: Sequence[set]) -> Dict[str, int]:
    """Strict-match errors by kind. A gold entity not predicted exactly is ``missed`` (no prediction
    overlaps it), ``wrong type`` (same span, other type), ``boundary`` (an overlapping prediction of its
    type) or ``boundary and type`` (overlapping predictions of other types only); a prediction that
    overlaps no gold entity is ``spurious``."""
    counts = dict.fromkeys(["missed", "wrong type", "boundary", "boundary and type", "spurious"], 0)
    for g, p in zip(gold, predicted):
        for kind, start, end in g - p:
            near = [q for q in p if q[1] < end and start < q[2]]
            if not near:
                counts["missed"] += 1
            elif any(q[1] == start and q[2] == end for q in near):
                counts["wrong type"] += 1
            elif any(q[0] == kind for q in near):
                counts["boundary"] += 1
            else:
                counts["boundary and type"] += 1
        counts["spurious"] += sum(1 for q in p - g if not any(s[1] < q[2] and q[1] < s[2] for s in g))
    return counts


def format_scores(scores: Dict[str, dict]) -> str:
    return "  ".join(f"{k} P {v['precision']:.4f} R {v['recall']:.4f} F1 {v['f1']:.4f}" for k, v in scores.items())


def format_sets(scores_by_set: Mapping[str, Dict[str, dict]]) -> str:
    """One line: each set's overall F1 and the mean."""
    parts = [f"{name} {s['overall']['f1']:.4f}" for name, s in scores_by_set.items()]
    return "  ".join(parts) + f"  mean {mean_f1(scores_by_set):.4f}"


def evaluation_record(scores_by_set: Mapping[str, Dict[str, dict]], exposure_by_set: Mapping[str, dict], dev_descriptions: Mapping[str, str]) -> dict:
    """The ``evaluation`` block of ner-model.json: per dev set, where it comes from, P/R/F1 per type and
    overall, and recall on entities seen and unseen in training; plus the mean F1 the model is ranked by."""
    return {
        "metric": "strict span micro P/R/F1 (type, start, end in code points), decoded as ner-api decodes",
        "meanF1": mean_f1(scores_by_set),
        "sets": {
            name: {"dev": dev_descriptions[name], "scores": scores,
                   **({"recallByExposure": exposure_by_set[name]} if name in exposure_by_set else {})}
            for name, scores in scores_by_set.items()
        },
    }
