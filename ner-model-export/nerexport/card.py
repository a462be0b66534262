"""Prints the model card's figures tables from bundles' ner-model.json (their ``evaluation`` block, written
by the recipe that made them): per dev set, P/R/F1 per type and overall, and the mean F1 a bundle is
ranked by. The card's tables are this command's output, so they cannot drift from the bundles:

    /usr/bin/python3 -m nerexport.card ../ner-api/src/main/resources/ner-models/* [/tmp/candidate-bundle ...]
"""

from __future__ import annotations

import sys
from pathlib import Path

from nerexport import bundle as B
from nerexport.training.data import DATASETS, TYPES


def summary_table(metas) -> str:
    """One row per bundle: each set's overall F1 and the mean."""
    lines = ["| bundle | " + " | ".join(DATASETS) + " | mean F1 |", "|---|" + "---:|" * (len(DATASETS) + 1)]
    for meta in metas:
        sets = meta["evaluation"]["sets"]
        cells = [f"{sets[name]['scores']['overall']['f1']:.4f}" if name in sets else "-" for name in DATASETS]
        lines.append(f"| {meta['name']} {meta['version']} | " + " | ".join(cells) + f" | **{meta['evaluation']['meanF1']:.4f}** |")
    return "\n".join(lines)


def detail_table(meta) -> str:
    """Per set and type: P / R / F1 (gold entities)."""
    lines = ["| dev set | " + " | ".join(list(TYPES) + ["overall"]) + " |", "|---|" + "---|" * (len(TYPES) + 1)]
    for name, record in meta["evaluation"]["sets"].items():
        cells = []
        for kind in list(TYPES) + ["overall"]:
            s = record["scores"][kind]
            cells.append(f"{s['precision']:.3f} / {s['recall']:.3f} / **{s['f1']:.3f}** ({s['gold']})")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    dirs = [Path(p) for p in (argv if argv is not None else sys.argv[1:]) if (Path(p) / B.META_FILE).is_file()]
    if not dirs:
        print("usage: python -m nerexport.card <bundle dir>...", file=sys.stderr)
        return 2
    metas = [B.read_bundle_meta(d) for d in dirs]
    print(summary_table(metas))
    for meta in metas:
        print(f"\n**{meta['name']} {meta['version']}** (P / R / F1, gold entities in brackets)\n")
        print(detail_table(meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
