"""The Python baseline of the benchmark: the original design's stack (FastAPI + uvicorn, the model in
PyTorch eager mode) serving the SAME weights ner-api serves.

What it reuses instead of copying (ner-model-export, see ../README.md):
* the model classes whose forward passes are the PyTorch references of the ONNX graphs (the recipes check
  the two agree before writing a bundle): the compact recipe's ``nerexport.compact.model.CompactTagger``
  (``bigru-crf``) and the RaNER exporter's plain-PyTorch BERT + linear layer,
  ``nerexport.raner.bert.RanerEmissionModel`` (``bert-crf``, e.g. the bge-small-zh bundle);
* the reference tokenizer ``nerexport.tokenization.BertWordPieceTokenizer`` and the reference decoding
  ``nerexport.decoding.decode_entities`` (CRF Viterbi + the RaNER chunking rules); rows are cut at word
  bounds to at most 510 word-pieces (the recipes' evaluation rows; ModelScope's pipeline would drop the rest).

The weights are read from the bundle's ``model.onnx`` initialisers (``onnx.numpy_helper``), exactly the
float32 tensors ner-api runs; the CRF parameters and labels come from ``ner-model.json``. So the baseline
needs nothing but the bundle, wherever the recipe's training checkpoint went.

Endpoints, as in the original design (ModelScope-style output):
* ``POST /predict`` ``{"text": "..."}`` -> ``{"output": [{"type", "start", "end", "span", "prob"}]}``
* ``POST /batch_predict`` ``{"texts": [...]}`` -> ``{"results": [{"output": [...]}, ...]}``
* ``GET /health`` -> ``{"status": "healthy", "model_loaded": true}``

Run (the benchmark does this): ``NER_BUNDLE=<bundle dir> TORCH_THREADS=2 /usr/bin/python3 -m uvicorn
--app-dir bench/python-baseline --factory server:create_app --host 127.0.0.1 --port 8091``.
``/usr/bin/python3 server.py check <bundle dir> <golden.json>`` compares its emissions and entities with a
golden file of the bundle.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import List

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "ner-model-export"))

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import torch  # noqa: E402
from fastapi import FastAPI  # noqa: E402
from onnx import numpy_helper  # noqa: E402
from pydantic import BaseModel  # noqa: E402

from nerexport.compact import model as M  # noqa: E402
from nerexport.decoding import decode_entities  # noqa: E402
from nerexport.raner.bert import BertConfig, RanerEmissionModel  # noqa: E402
from nerexport.tokenization import BertWordPieceTokenizer, Word  # noqa: E402

# ner-model.json maxWordPieces (512) minus [CLS]/[SEP]: the recipes' evaluation rows.
MAX_PIECES_PER_ROW = 510
# Padded tokens per forward pass: ner-api's default ner.inference.max-batch-tokens.
MAX_TOKENS_PER_BATCH = 512


class Row:
    """One model row: ids with [CLS]/[SEP], the row position of each word's first piece, the words' spans."""

    def __init__(self):
        self.input_ids, self.first_pieces, self.word_spans = [], [], []


def to_rows(tokenizer: BertWordPieceTokenizer, text: str, max_pieces: int) -> List[Row]:
    """The rows of a text: words in order, a new row whenever the next word's pieces would not fit."""
    rows: List[Row] = []
    row = None
    for word in tokenizer.encode_words(text):
        pieces = list(word.piece_ids)[:max_pieces]
        if row is None or len(row.input_ids) - 1 + len(pieces) > max_pieces:
            row = Row()
            row.input_ids.append(tokenizer.cls_id)
            rows.append(row)
        row.first_pieces.append(len(row.input_ids))
        row.input_ids.extend(pieces)
        row.word_spans.append((word.start, word.end))
    for row in rows:
        row.input_ids.append(tokenizer.sep_id)
    return rows


class Recognizer:
    """The bundle's model in PyTorch eager mode with the reference tokenizer and decoding. Thread-safe:
    the module is only read (``eval`` mode, no gradients)."""

    def __init__(self, bundle_dir: Path):
        self.meta = json.loads((bundle_dir / "ner-model.json").read_text(encoding="utf-8"))
        architecture = self.meta.get("architecture")
        if architecture == "bigru-crf":
            self.model = self._load_model(bundle_dir / "model.onnx", len(self.meta["labels"]))
        elif architecture == "bert-crf":
            self.model = self._load_bert(bundle_dir / "model.onnx", len(self.meta["labels"]), self.meta)
        else:
            raise SystemExit(f"{bundle_dir}: architecture {architecture!r}; this baseline rebuilds bigru-crf "
                             "(the compact recipe) and bert-crf (the RaNER exporter) models")
        tokenizer_json = json.loads((bundle_dir / "tokenizer.json").read_text(encoding="utf-8"))
        self.tokenizer = BertWordPieceTokenizer(
            vocab=tokenizer_json["model"]["vocab"],
            lowercase=tokenizer_json["normalizer"]["lowercase"],
            normalization=self.meta["normalization"],
        )

    @staticmethod
    def _load_model(onnx_path: Path, num_labels: int) -> M.CompactTagger:
        weights = {t.name: numpy_helper.to_array(t) for t in onnx.load(str(onnx_path)).graph.initializer}
        vocab_size, char_dim = weights["char_emb"].shape
        hidden = weights["gru1_R"].shape[2]
        buckets, bigram_dim = 1, 0  # a model trained with --bigram-dim 0 has no bigram features
        if "bigram_emb" in weights:
            buckets, bigram_dim = weights["bigram_emb"].shape
            # The bigram hash must be the one the model class computes, or the features differ.
            if int(weights["stride"][0]) != M.VOCAB_STRIDE or int(weights["hash_mul"][0]) != M.HASH_MULTIPLIER:
                raise SystemExit(f"{onnx_path}: bigram hash constants differ from nerexport.compact.model")
        if weights["emit_w"].shape != (2 * hidden, num_labels):
            raise SystemExit(f"{onnx_path}: emission layer {weights['emit_w'].shape} does not fit {num_labels} labels")
        model = M.CompactTagger(vocab_size, num_labels, char_dim=char_dim, bigram_buckets=buckets,
                                bigram_dim=bigram_dim, hidden=hidden, dropout=0.0)
        state = {
            "char_emb": weights["char_emb"], "emit_w": weights["emit_w"], "emit_b": weights["emit_b"],
            # The CRF runs in nerexport.decoding from ner-model.json; the module's copies are unused.
            "crf.start_transitions": np.zeros(num_labels, np.float32),
            "crf.end_transitions": np.zeros(num_labels, np.float32),
            "crf.transitions": np.zeros((num_labels, num_labels), np.float32),
        }
        if bigram_dim:
            state["bigram_emb"] = weights["bigram_emb"]
        for k in (1, 2):
            for part in ("W", "R", "B"):
                state[f"gru{k}.{part}"] = weights[f"gru{k}_{part}"]
        model.load_state_dict({k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items()})
        return model.eval()

    @staticmethod
    def _load_bert(onnx_path: Path, num_labels: int, meta: dict) -> RanerEmissionModel:
        """The RaNER exporter's graph (``nerexport.raner.export``) back into its PyTorch module: named
        initialisers ``encoder.embeddings.*``, ``encoder.encoder.layer.N.*`` and ``linear.bias``; each MatMul's
        weight is the unnamed initialiser whose product gets a named ``*.bias`` added; the token-type
        embedding of type 0 (the only type RaNER uses) was folded into one constant added to the embeddings."""
        graph = onnx.load(str(onnx_path)).graph
        inits = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
        users = {}
        for node in graph.node:
            for name in node.input:
                users.setdefault(name, []).append(node)
        # The exporter's initialiser names are the module's parameter names.
        state = {name: value for name, value in inits.items() if name.startswith("encoder.") or name == "linear.bias"}
        token_type = None
        for node in graph.node:
            if node.op_type == "MatMul" and node.input[1] in inits:
                biases = [i for u in users.get(node.output[0], []) if u.op_type == "Add" for i in u.input
                          if i.endswith(".bias") and i in inits]
                if len(biases) != 1:
                    raise SystemExit(f"{onnx_path}: MatMul {node.name}: no single named bias after it")
                state[biases[0][: -len(".bias")] + ".weight"] = inits[node.input[1]].T
            if node.name.endswith("embeddings/Add_1"):
                token_type = next((inits[i] for i in node.input if i in inits), None)
        encoder = (meta.get("provenance", {}).get("export", {}) or {}).get("encoder")
        if not encoder:
            raise SystemExit(f"{onnx_path}: ner-model.json has no provenance.export.encoder (the BERT config)")
        cfg = BertConfig.from_json(encoder, "ner-model.json provenance.export.encoder")
        model = RanerEmissionModel(cfg, num_labels)
        types = np.zeros((cfg.type_vocab_size, cfg.hidden_size), np.float32)
        if token_type is not None:
            types[0] = token_type
        state["encoder.embeddings.token_type_embeddings.weight"] = types
        expected = model.state_dict()
        missing = sorted(set(expected) - set(state))
        if missing:
            raise SystemExit(f"{onnx_path}: weights not found in the graph: {missing[:6]}")
        model.load_state_dict({k: torch.from_numpy(np.array(state[k], dtype=np.float32)) for k in expected})
        return model.eval()

    def emissions(self, rows: List[List[int]]) -> np.ndarray:
        """Emissions ``[rows, width, labels]`` of rows padded with ``[PAD]`` (attention 0)."""
        width = max(len(r) for r in rows)
        ids = torch.full((len(rows), width), self.tokenizer.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for i, row in enumerate(rows):
            ids[i, : len(row)] = torch.tensor(row, dtype=torch.long)
            mask[i, : len(row)] = 1
        with torch.inference_mode():
            return self.model(ids, mask).numpy()

    def recognize(self, texts: List[str]) -> List[List[dict]]:
        """Entities of each text (ModelScope's ``output`` list), rows grouped by length into batches."""
        rows, owners = [], []
        for index, text in enumerate(texts):
            for row in to_rows(self.tokenizer, text, MAX_PIECES_PER_ROW):
                if row.first_pieces:
                    rows.append(row)
                    owners.append(index)
        per_row: List[List[dict]] = [[] for _ in rows]
        order = sorted(range(len(rows)), key=lambda i: len(rows[i].input_ids))
        groups, begin = [], 0
        while begin < len(order):  # sorted by length, at most MAX_TOKENS_PER_BATCH padded tokens per pass
            end = begin + 1
            while end < len(order) and len(rows[order[end]].input_ids) * (end - begin + 1) <= MAX_TOKENS_PER_BATCH:
                end += 1
            groups.append(order[begin:end])
            begin = end
        for group in groups:
            em = self.emissions([rows[i].input_ids for i in group])
            for k, i in enumerate(group):
                row = rows[i]
                words = [Word([], start, end) for start, end in row.word_spans]
                per_row[i] = decode_entities(texts[owners[i]], words, em[k, row.first_pieces], self.meta)
        results: List[List[dict]] = [[] for _ in texts]
        for i, entities in enumerate(per_row):  # rows are in text order, so entities stay in text order
            results[owners[i]].extend(entities)
        return results


class PredictRequest(BaseModel):
    text: str


class BatchPredictRequest(BaseModel):
    texts: List[str]


def create_app():
    """The FastAPI application (uvicorn ``--factory``); settings from the environment:
    ``NER_BUNDLE`` (bundle directory, required) and ``TORCH_THREADS`` (intra-op threads, default 1)."""
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "1")))
    torch.set_num_interop_threads(1)
    recognizer = Recognizer(Path(os.environ["NER_BUNDLE"]))
    # Warm-up before reporting healthy, as ner-api does.
    recognizer.recognize(["国务院总理李克强在北京会见了微软公司总裁。"])

    app = FastAPI(title="NER baseline (FastAPI + PyTorch eager)")

    # Plain `def` endpoints: FastAPI runs them in its thread pool, off the event loop, as the original
    # design asks; PyTorch releases the GIL inside its operators.
    @app.get("/health")
    def health():
        return {"status": "healthy", "model_loaded": True}

    @app.post("/predict")
    def predict(request: PredictRequest):
        return {"output": recognizer.recognize([request.text])[0]}

    @app.post("/batch_predict")
    def batch_predict(request: BatchPredictRequest):
        return {"results": [{"output": entities} for entities in recognizer.recognize(request.texts)]}

    return app


def check(bundle_dir: str, golden_path: str) -> int:
    """Compares emissions and entities with a golden file of the bundle; prints the largest difference."""
    recognizer = Recognizer(Path(bundle_dir))
    golden = json.loads(Path(golden_path).read_text(encoding="utf-8"))
    worst, failures = 0.0, 0
    for case in golden["cases"]:
        em = recognizer.emissions([case["input_ids"]])[0]
        worst = max(worst, float(np.max(np.abs(em - np.asarray(case["emissions"], dtype=np.float32)))))
        got = [(e["type"], e["start"], e["end"], e["span"]) for e in recognizer.recognize([case["text"]])[0]]
        want = [(e["type"], e["start"], e["end"], e["span"]) for e in case["entities"]]
        if got != want:
            failures += 1
            print(f"entities differ for {case['text']!r}: {got} != {want}")
    ok = failures == 0 and worst <= golden["atol"]
    print(f"{len(golden['cases'])} golden cases, largest emission difference {worst:.2e} "
          f"(atol {golden['atol']}), entity mismatches {failures}: {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "check":
        sys.exit(check(sys.argv[2], sys.argv[3]))
    print(__doc__)
    sys.exit(2)
