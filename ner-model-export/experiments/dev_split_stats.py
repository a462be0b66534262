"""How the dev split differs from the training part (MODEL_CARD.md, "How hard this split is"):

    cd ner-model-export
    /usr/bin/python3 experiments/dev_split_stats.py --data ../../shared/data 人大 人大常委会 法院 党委

Prints the entities per sentence on each side, the share of dev mentions that the training part labels
with the same text and type, and for each string given: how many of its occurrences are labelled as an
entity, on each side (every occurrence counts, also one inside a longer entity).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from nerexport.training import data as D  # noqa: E402


def labelled_occurrences(sentences, string: str):
    """(occurrences labelled as an entity with exactly that span, all occurrences) of ``string``."""
    labelled = total = 0
    for text, spans in sentences:
        labelled_spans = {(a, b) for _, a, b in spans}
        at = text.find(string)
        while at >= 0:
            total += 1
            labelled += (at, at + len(string)) in labelled_spans
            at = text.find(string, at + 1)
    return labelled, total


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--dev-size", type=int, default=2000)
    p.add_argument("strings", nargs="*")
    a = p.parse_args(argv)
    train, dev = D.read_dataset(a.data, "msra", msra_dev_size=a.dev_size)
    for name, part in (("training part", train), ("dev", dev)):
        entities = sum(len(spans) for _, spans in part)
        print(f"{name}: {len(part)} sentences, {entities} entities, {entities / len(part):.2f} per sentence")
    seen = {(text[s:e], kind) for text, spans in train for kind, s, e in spans}
    mentions = [(text[s:e], kind) for text, spans in dev for kind, s, e in spans]
    shown = sum(m in seen for m in mentions)
    print(f"dev mentions labelled with the same text and type in the training part: {shown} of {len(mentions)} "
          f"({shown / len(mentions):.1%})")
    for string in a.strings:
        (lt, nt), (ld, nd) = labelled_occurrences(train, string), labelled_occurrences(dev, string)
        print(f"{string}: labelled in {lt} of {nt} occurrences in the training part, {ld} of {nd} in dev")
    return 0


if __name__ == "__main__":
    sys.exit(main())
