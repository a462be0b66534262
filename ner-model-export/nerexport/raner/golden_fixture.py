"""Regenerates the tiny-bert golden files that ner-api's Java test replays (deterministic).

    cd ner-model-export && /usr/bin/python3 -m nerexport.raner.golden_fixture [OUT_DIR]

OUT_DIR defaults to ``../ner-api/src/test/resources/golden/tiny-bert``. It writes a tiny random RaNER
checkpoint (fixed seed, exact ModelScope layout) to a temporary folder, exports it with the same code path
as the command line (``model.onnx``, ``tokenizer.json``, ``ner-model.json``) and writes ``golden.json``
beside them. Before writing, it checks that the cases are a meaningful test: several entity types occur,
and every case's Viterbi decision margin exceeds ``2 * words * atol``, so emissions within the golden
file's tolerance provably decode to the same entities (no near-ties that could flip in Java).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

# Picked among seeds 0..11 for the widest Viterbi margins (the checks below fail on a seed with near-ties).
GOLDEN_SEED = 10
BUNDLE_NAME = "tiny-bert"
DEFAULT_OUT = Path(__file__).resolve().parents[2].parent / "ner-api" / "src" / "test" / "resources" / "golden" / "tiny-bert"

# CJK, Latin (lower-casing, ## pieces), digits, full-width (NFKC), emoji and astral characters, whitespace
# runs, control/format characters, accents, NFKC expansion, a combining mark (NFKC by cluster: 'e' + U+0301
# is one unit), and a text with no words at all.
GOLDEN_TEXTS = [
    "习近平在北京会见了美国总统。",
    "Apple CEO 在 New York 发布了 iPhone15。",
    "2024年3月10日，王小明到上海人民广场。",
    "全角：ＡＢＣ　２０２４年，ＣＥＯ张华。",
    "表情😀在北京，生僻字𠮷野家在东京。",
    "  多个   空格\t和\n换行  李强 ",
    "阿里巴巴集团总部位于杭州市，马云是创始人。",
    "他说：“我们在武汉大学医院工作。”",
    "零宽\u200b字符与Café和abc😀x在深圳",
    "㈱中国人民银行与香港大学合作",
    "李Cafe\u0301",
    " \t ",
]


def case_margins(cases, tokenizer, meta) -> list:
    """(text, words, margin) per case, margin from :func:`nerexport.decoding.viterbi_margin`."""
    from nerexport.decoding import viterbi_margin
    from nerexport.tokenization import build_single_window

    out = []
    crf = meta["crf"]
    for case in cases:
        words = tokenizer.encode_words(case["text"])
        window = build_single_window(words, tokenizer.cls_id, tokenizer.sep_id, meta["maxWordPieces"])
        first = np.asarray(case["emissions"], dtype=np.float64)[window.first_piece_positions]
        margin = viterbi_margin(first.reshape(len(words), len(meta["labels"])), crf["start"], crf["end"], crf["transitions"])
        out.append((case["text"], len(words), margin))
    return out


def generate(out_dir: Path, log=print) -> dict:
    """Exports into a temporary folder, checks the cases, then copies the four files to ``out_dir``."""
    import json
    import shutil

    import torch

    from nerexport.raner.export import export_checkpoint
    from nerexport.raner.tiny import tiny_vocab, write_tiny_checkpoint
    from nerexport.tokenization import BertWordPieceTokenizer

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        # A fixed folder name: it is recorded in ner-model.json's provenance.
        ckpt = write_tiny_checkpoint(Path(tmp) / "tiny-raner-checkpoint", seed=GOLDEN_SEED, layout="head", o_bias=2.0)
        staging = Path(tmp) / BUNDLE_NAME
        meta = export_checkpoint(ckpt, staging, staging / "golden.json", name=BUNDLE_NAME, golden_texts=GOLDEN_TEXTS, log=log)
        golden = json.loads((staging / "golden.json").read_text(encoding="utf-8"))
        entities = [e for c in golden["cases"] for e in c["entities"]]
        types = {e["type"] for e in entities}
        if len(entities) < 10 or not {"PER", "LOC", "ORG"} <= types:
            raise AssertionError(f"golden cases hold {len(entities)} entities of types {sorted(types)}: too few to test decoding")
        tokenizer = BertWordPieceTokenizer(vocab={t: i for i, t in enumerate(tiny_vocab())}, lowercase=meta["provenance"]["lowercase"])
        for text, words, margin in case_margins(golden["cases"], tokenizer, meta):
            needed = 2 * max(words, 1) * golden["atol"]
            if not margin > needed:
                raise AssertionError(f"case {text!r}: Viterbi margin {margin:.3g} <= {needed:.3g}; Java could decode differently")
            log(f"  case {text!r}: {words} words, Viterbi margin {margin:.3g} (needs > {needed:.3g})")
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        for name in ("model.onnx", "tokenizer.json", "ner-model.json", "golden.json"):
            shutil.copyfile(staging / name, out_dir / name)
    log(f"{out_dir}: {len(golden['cases'])} cases, {len(entities)} entities, types {sorted(types)}")
    return golden


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m nerexport.raner.golden_fixture", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", nargs="?", default=str(DEFAULT_OUT))
    args = parser.parse_args(argv)
    generate(Path(args.out_dir))
    return 0


if __name__ == "__main__":
    sys.exit(main())
