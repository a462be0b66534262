"""Shared test setup: the module root on sys.path, bounded torch threads, a small vocabulary fixture."""

import os
import sys
from pathlib import Path

MODULE_ROOT = Path(__file__).resolve().parents[1]
if str(MODULE_ROOT) not in sys.path:
    sys.path.insert(0, str(MODULE_ROOT))

os.environ.setdefault("OMP_NUM_THREADS", "1")

import pytest  # noqa: E402

# A few hundred tokens in bert-base-chinese's layout: specials at their usual ids, CJK characters,
# punctuation, lower-case Latin words and '##' continuations, digits.
SMALL_VOCAB = (
    ["[PAD]"]
    + [f"[unused{i}]" for i in range(1, 100)]
    + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    + list("，。！？、：；（）《》“”-.,!?()%$@#:/")
    + list("我在北京上海天安门广场工作习近平中国人民银行阿里巴巴集团杭州市马云是的了和与张三李四王五深圳腾讯公司")
    + ["apple", "ceo", "iphone", "##15", "##1", "##5", "0", "1", "2", "3", "2024", "##4", "##0", "年", "月", "日"]
    + ["a", "b", "c", "abc", "##c", "##b", "fi", "cafe", "e", "##e", "x", "##x"]
)


@pytest.fixture
def small_vocab_path(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("\n".join(SMALL_VOCAB) + "\n", encoding="utf-8")
    return path


# ---- the four data sets, generated -------------------------------------------------------------------------

MSRA_SENTENCES = [
    ("李明在北京工作。", [("PER", 0, 2), ("LOC", 3, 5)]),
    ("微软公司位于美国西雅图。", [("ORG", 0, 4), ("LOC", 6, 8), ("LOC", 8, 11)]),
    ("张三去了上海，见到了王五。", [("PER", 0, 2), ("LOC", 4, 6), ("PER", 10, 12)]),
    ("中国人民银行发布了2008年报告。", [("ORG", 0, 6)]),
    ("今天天气很好。", []),
    ("IBM公司在纽约开会。", [("ORG", 0, 5), ("LOC", 6, 8)]),
]
# (text, spans, CLUENER labels) / (text, spans, Weibo tags) / (text, spans, Resume tags), written in each
# set's own format below
CLUENER_RECORDS = [
    ("浙商银行的叶老桂在杭州", {"company": {"浙商银行": [[0, 3]]}, "name": {"叶老桂": [[5, 7]]}, "address": {"杭州": [[9, 10]]}}),
    ("王五在上海看了电影", {"name": {"王五": [[0, 1]]}, "address": {"上海": [[3, 4]]}, "movie": {"电影": [[7, 8]]}}),
    ("微软公司发布新产品", {"company": {"微软公司": [[0, 3]]}}),
]
WEIBO_SENTENCES = [
    [("我", "O"), ("在", "O"), ("北", "B-GPE.NAM"), ("京", "I-GPE.NAM"), ("见", "O"), ("老", "B-PER.NOM"),
     ("师", "I-PER.NOM"), ("王", "B-PER.NAM"), ("五", "I-PER.NAM")],
    [("张", "B-PER.NAM"), ("三", "I-PER.NAM"), ("去", "O"), ("微", "B-ORG.NAM"), ("软", "I-ORG.NAM")],
]
RESUME_SENTENCES = [
    [("李", "B-NAME"), ("明", "E-NAME"), ("，", "O"), ("中", "B-CONT"), ("国", "E-CONT"), ("微", "B-ORG"),
     ("软", "M-ORG"), ("公", "M-ORG"), ("司", "E-ORG"), ("工", "B-TITLE"), ("作", "E-TITLE")],
    [("王", "S-NAME"), ("在", "O"), ("上", "B-LOC"), ("海", "E-LOC")],
]


def write_msra(path: Path, sentences) -> None:
    lines = []
    for text, spans in sentences:
        tags = ["O"] * len(text)
        for kind, start, end in spans:
            tags[start] = f"B-{kind}"
            for i in range(start + 1, end):
                tags[i] = f"I-{kind}"
        lines += [f"{c}\t{t}" for c, t in zip(text, tags)] + [""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_four_sets(root: Path, repeat: int = 4, extra_chars: str = "") -> Path:
    """A shared-data-shaped folder: msra/, cluener2020/, weibo/, resume/ in their real formats (Weibo with
    segmentation digits, Resume with CRLF in train), and bert-base-chinese/vocab.txt covering every character."""
    import json

    write_msra(root / "msra" / "train.bio.tsv", MSRA_SENTENCES * repeat)
    (root / "cluener2020").mkdir(parents=True)
    with open(root / "cluener2020" / "train.json", "w", encoding="utf-8") as f:
        for text, label in CLUENER_RECORDS * repeat:
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")
    (root / "weibo").mkdir(parents=True)
    for name, sentences in (("weiboNER_2nd_conll.train", WEIBO_SENTENCES * repeat), ("weiboNER_2nd_conll.dev", WEIBO_SENTENCES)):
        text = "\n\n".join("\n".join(f"{c}{i % 2}\t{t}" for i, (c, t) in enumerate(s)) for s in sentences) + "\n"
        (root / "weibo" / name).write_text(text, encoding="utf-8")
    (root / "resume").mkdir(parents=True)
    for name, sentences, eol in (("train.char.bmes", RESUME_SENTENCES * repeat, "\r\n"), ("dev.char.bmes", RESUME_SENTENCES, "\n")):
        text = (eol + eol).join(eol.join(f"{c} {t}" for c, t in s) for s in sentences) + eol
        (root / "resume" / name).write_bytes(text.encode("utf-8"))
    chars = {c for text, _ in MSRA_SENTENCES for c in text} | {c for text, _ in CLUENER_RECORDS for c in text}
    chars |= {c for s in WEIBO_SENTENCES + RESUME_SENTENCES for c, _ in s} | set(extra_chars)
    tokens = ["[PAD]"] + [f"[unused{i}]" for i in range(1, 100)] + ["[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    tokens += sorted(c.lower() for c in chars if not c.isascii()) + ["ib", "##m", "nba", "2008", "12", "##00"]
    tokens += list("abcdefghijklmnopqrstuvwxyz0123456789")
    vocab = root / "bert-base-chinese" / "vocab.txt"
    vocab.parent.mkdir(parents=True)
    vocab.write_text("\n".join(dict.fromkeys(tokens)) + "\n", encoding="utf-8")
    return root
