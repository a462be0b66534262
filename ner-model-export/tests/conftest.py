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
