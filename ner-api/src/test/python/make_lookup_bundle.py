"""Writes the lookup test bundle: a context-free model whose right answer for any text is known.

Each token's emissions depend on the token alone and the CRF transitions are zero, so decoding is
an argmax per position: every "京" is S-LOC, every "李明" is B-PER E-PER, every "甲乙" is B-ORG
E-ORG, everything else is O. With a 32-piece window, a long document crosses many windows, so the
tests can check windowing and merging exactly. Regenerate (Debian python3-onnx, no torch needed):

    /usr/bin/python3 ner-api/src/test/python/make_lookup_bundle.py \
        ../shared/data/bert-base-chinese/tokenizer.json ner-api/src/test/resources/lookup-bundle
"""
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

LABELS = ["O", "B-LOC", "S-LOC", "B-ORG", "S-ORG", "B-PER", "S-PER",
          "I-LOC", "E-LOC", "I-ORG", "E-ORG", "I-PER", "E-PER"]
RULES = {"京": "S-LOC", "李": "B-PER", "明": "E-PER", "甲": "B-ORG", "乙": "E-ORG"}


def main(tokenizer_json: str, out_dir: str) -> None:
    tokenizer = json.loads(Path(tokenizer_json).read_text(encoding="utf-8"))
    tokenizer["model"]["type"] = "WordPiece"
    tokenizer["normalizer"]["lowercase"] = True
    vocab = tokenizer["model"]["vocab"]
    table = np.zeros((len(vocab), len(LABELS)), dtype=np.float32)
    table[:, LABELS.index("O")] = 5.0
    for char, label in RULES.items():
        table[vocab[char], :] = 0.0
        table[vocab[char], LABELS.index(label)] = 10.0
    graph = helper.make_graph(
        [helper.make_node("Gather", ["table", "input_ids"], ["emissions"])],
        "lookup",
        [helper.make_tensor_value_info("input_ids", TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("emissions", TensorProto.FLOAT,
                                       ["batch", "sequence", len(LABELS)])],
        [numpy_helper.from_array(table, "table")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data = model.SerializeToString()
    (out / "model.onnx").write_bytes(data)
    (out / "tokenizer.json").write_text(json.dumps(tokenizer, ensure_ascii=False), encoding="utf-8")
    size = len(LABELS)
    meta = {
        "format": 1, "name": "lookup-test", "version": "1",
        "description": "Test bundle: per-token lookup emissions, zero transitions (see make_lookup_bundle.py)",
        "architecture": "lookup", "labels": LABELS, "scheme": "BIOES",
        "crf": {"start": [0.0] * size, "end": [0.0] * size,
                "transitions": [[0.0] * size for _ in range(size)]},
        "maxWordPieces": 32, "normalization": "NFKC",
        "modelSha256": hashlib.sha256(data).hexdigest(),
    }
    (out / "ner-model.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
