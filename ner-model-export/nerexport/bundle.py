"""Writing and checking model bundles and golden files (docs/model-bundle.md, format 1).

Shared by every producer of bundles (the RaNER exporter, the compact-model trainer):

* :func:`write_bundle` checks an ONNX graph's interface and the ``ner-model.json`` metadata against the
  contract, then writes ``model.onnx``, ``tokenizer.json`` and ``ner-model.json`` (with ``format`` and
  ``modelSha256`` filled in).
* :func:`check_padding_invariance` proves, on any emissions function (the PyTorch module or an ONNX
  evaluator), that a row's emissions do not depend on its batch neighbours or on trailing padding.
* :func:`golden_case` / :func:`write_golden` build the golden file that ner-api's Java test replays
  through ONNX Runtime and the Java decoder.

An *emissions function* here is ``run(input_ids, attention_mask) -> emissions`` taking int64 arrays
``[batch, sequence]`` and returning float32 ``[batch, sequence, labels]``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Callable, Iterable, List, Sequence, Union

import numpy as np

from nerexport.decoding import decode_entities, split_label
from nerexport.tokenization import BertWordPieceTokenizer, build_single_window, pad_rows, write_tokenizer_json

FORMAT = 1
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
META_FILE = "ner-model.json"
GOLDEN_ATOL = 1e-4

EmissionsFunction = Callable[[np.ndarray, np.ndarray], np.ndarray]


class BundleError(ValueError):
    """A graph, metadata or golden case that breaks the bundle contract."""


# ---- metadata ------------------------------------------------------------------------------------


def validate_meta(meta: dict) -> None:
    """Raises BundleError unless ``meta`` (without ``modelSha256``) follows the ner-model.json contract."""
    for key in ("name", "version", "architecture", "labels", "scheme", "crf", "maxWordPieces", "normalization"):
        if key not in meta:
            raise BundleError(f"ner-model.json lacks '{key}'")
    if meta.get("format", FORMAT) != FORMAT:
        raise BundleError(f"ner-model.json format must be {FORMAT}, got {meta['format']!r}")
    labels = meta["labels"]
    if not isinstance(labels, list) or not labels or not all(isinstance(l, str) for l in labels):
        raise BundleError("labels must be a non-empty list of strings")
    if len(set(labels)) != len(labels):
        raise BundleError(f"labels repeat: {labels}")
    if "O" not in labels:
        raise BundleError(f"labels lack 'O': {labels}")
    try:
        prefixes = {split_label(l)[0] for l in labels}
    except ValueError as e:
        raise BundleError(str(e)) from None
    scheme = meta["scheme"]
    if scheme not in ("BIOES", "BIO"):
        raise BundleError(f"scheme must be BIOES or BIO, got {scheme!r}")
    if scheme == "BIO" and prefixes & {"E", "S"}:
        raise BundleError("scheme BIO but labels use E-/S- tags")
    n = len(labels)
    crf = meta["crf"]
    shapes = {
        "start": np.shape(crf.get("start")),
        "end": np.shape(crf.get("end")),
        "transitions": np.shape(crf.get("transitions")),
    }
    if shapes != {"start": (n,), "end": (n,), "transitions": (n, n)}:
        raise BundleError(f"CRF shapes {shapes} do not fit {n} labels")
    for key in ("start", "end", "transitions"):
        if not np.all(np.isfinite(np.asarray(crf[key], dtype=np.float64))):
            raise BundleError(f"crf.{key} holds a non-finite value")
    if not isinstance(meta["maxWordPieces"], int) or meta["maxWordPieces"] < 3:
        raise BundleError(f"maxWordPieces must be an integer >= 3, got {meta['maxWordPieces']!r}")
    if meta["normalization"] not in ("NFKC", "none"):
        raise BundleError(f"normalization must be NFKC or none, got {meta['normalization']!r}")


def crf_to_json(start, end, transitions) -> dict:
    """CRF parameters (tensors or arrays) as the plain float lists ner-model.json holds."""
    return {
        "start": [float(x) for x in np.asarray(start, dtype=np.float64).reshape(-1)],
        "end": [float(x) for x in np.asarray(end, dtype=np.float64).reshape(-1)],
        "transitions": np.asarray(transitions, dtype=np.float64).tolist(),
    }


# ---- ONNX interface ------------------------------------------------------------------------------


def _dims(value_info) -> list:
    """Each dimension of a graph input/output: an int, or the name of a dynamic axis."""
    dims = []
    for d in value_info.type.tensor_type.shape.dim:
        if d.HasField("dim_value"):
            dims.append(d.dim_value)
        else:
            dims.append(d.dim_param or "?")
    return dims


def check_onnx_interface(model_bytes: bytes, num_labels: int) -> None:
    """onnx.checker plus the contract's interface: int64 ``input_ids``/``attention_mask`` (and optional
    ``token_type_ids``) of shape [batch, sequence] with both axes dynamic, one float32 output ``emissions``
    of shape [batch, sequence, num_labels]."""
    import onnx

    model = onnx.load_from_string(model_bytes)
    try:
        onnx.checker.check_model(model)
    except onnx.checker.ValidationError as e:
        raise BundleError(f"onnx.checker rejects the graph: {e}") from None
    graph = model.graph
    initializers = {i.name for i in graph.initializer}
    inputs = {i.name: i for i in graph.input if i.name not in initializers}
    allowed = {"input_ids", "attention_mask", "token_type_ids"}
    if set(inputs) - allowed or not {"input_ids", "attention_mask"} <= set(inputs):
        raise BundleError(
            f"graph inputs {sorted(inputs)}: need input_ids and attention_mask (token_type_ids optional), "
            "nothing else; an input the graph ignores is dropped by the exporter"
        )
    int64 = onnx.TensorProto.INT64
    for name, value in inputs.items():
        if value.type.tensor_type.elem_type != int64:
            raise BundleError(f"input {name} must be int64")
        dims = _dims(value)
        if len(dims) != 2 or any(isinstance(d, int) for d in dims):
            raise BundleError(f"input {name} must be [batch, sequence] with both axes dynamic, got {dims}")
    outputs = list(graph.output)
    if [o.name for o in outputs] != ["emissions"]:
        raise BundleError(f"graph outputs {[o.name for o in outputs]}: need exactly ['emissions']")
    out = outputs[0]
    if out.type.tensor_type.elem_type != onnx.TensorProto.FLOAT:
        raise BundleError("output emissions must be float32")
    dims = _dims(out)
    if len(dims) != 3 or isinstance(dims[0], int) or isinstance(dims[1], int) or dims[2] != num_labels:
        raise BundleError(f"output emissions must be [batch, sequence, {num_labels}] (dynamic, dynamic), got {dims}")


# ---- the bundle ------------------------------------------------------------------------------------


def write_bundle(
    out_dir,
    onnx_model_path_or_bytes: Union[str, Path, bytes],
    vocab_path,
    lowercase: bool,
    meta: dict,
) -> dict:
    """Checks and writes a bundle (model.onnx, tokenizer.json, ner-model.json) into ``out_dir``.

    ``meta`` is the ner-model.json object without ``format`` and ``modelSha256``, which are filled in.
    Returns the metadata as written. Nothing is written when a check fails.
    """
    if isinstance(onnx_model_path_or_bytes, (bytes, bytearray)):
        model_bytes = bytes(onnx_model_path_or_bytes)
    else:
        model_bytes = Path(onnx_model_path_or_bytes).read_bytes()
    # Refuses a vocabulary without the special tokens before anything is written.
    BertWordPieceTokenizer(vocab_path, lowercase)
    return _write(out_dir, model_bytes, meta, lambda path: write_tokenizer_json(vocab_path, path, lowercase))


def write_derived_bundle(out_dir, model_bytes: bytes, source_dir, meta: dict) -> dict:
    """Writes a bundle made from another one (a combined, quantised or optimised graph): ``model.onnx`` and
    ``meta`` as :func:`write_bundle` does, and the source bundle's ``tokenizer.json`` unchanged."""
    source = Path(source_dir) / TOKENIZER_FILE
    return _write(out_dir, model_bytes, meta, lambda path: path.write_bytes(source.read_bytes()))


def _write(out_dir, model_bytes: bytes, meta: dict, write_tokenizer) -> dict:
    """Checks ``meta`` and the graph, then writes model.onnx, tokenizer.json (by ``write_tokenizer(path)``)
    and ner-model.json with ``format`` and ``modelSha256`` filled in. Nothing is written when a check fails."""
    meta = dict(meta)
    meta.pop("modelSha256", None)
    validate_meta(meta)
    check_onnx_interface(model_bytes, len(meta["labels"]))
    ordered = {"format": FORMAT}
    ordered.update((k, v) for k, v in meta.items() if k != "format")
    ordered["modelSha256"] = hashlib.sha256(model_bytes).hexdigest()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / MODEL_FILE).write_bytes(model_bytes)
    write_tokenizer(out / TOKENIZER_FILE)
    with open(out / META_FILE, "w", encoding="utf-8") as f:
        json.dump(ordered, f, ensure_ascii=False, indent=2)
        f.write("\n")
    return ordered


def read_bundle_meta(bundle_dir) -> dict:
    """Reads ner-model.json and checks format and modelSha256 against model.onnx, as ner-api does."""
    bundle = Path(bundle_dir)
    with open(bundle / META_FILE, encoding="utf-8") as f:
        meta = json.load(f)
    validate_meta(meta)
    digest = hashlib.sha256((bundle / MODEL_FILE).read_bytes()).hexdigest()
    if meta.get("modelSha256") != digest:
        raise BundleError(f"{bundle / MODEL_FILE}: sha256 {digest} does not match ner-model.json")
    return meta


# ---- padding invariance ----------------------------------------------------------------------------


def check_padding_invariance(
    run: EmissionsFunction,
    rows: Sequence[Sequence[int]],
    pad_id: int,
    atol: float = GOLDEN_ATOL,
    extra_padding: int = 5,
) -> float:
    """Checks that each row's emissions at its real positions are the same alone, in a padded batch with
    the other rows, and with ``extra_padding`` more ``[PAD]`` positions (mask 0) after it.

    ``rows`` should differ in length. Returns the largest difference; raises BundleError beyond ``atol``.
    """
    if len(rows) < 2:
        raise ValueError("give at least two rows of different lengths")
    alone = []
    for row in rows:
        ids = np.asarray([row], dtype=np.int64)
        alone.append(np.asarray(run(ids, np.ones_like(ids)))[0])
    width = max(len(r) for r in rows) + extra_padding
    ids, mask = pad_rows(rows, pad_id, width)
    batched = np.asarray(run(np.asarray(ids, dtype=np.int64), np.asarray(mask, dtype=np.int64)))
    worst = 0.0
    for i, row in enumerate(rows):
        diff = float(np.max(np.abs(batched[i, : len(row)] - alone[i])))
        worst = max(worst, diff)
        if not diff <= atol:
            raise BundleError(
                f"emissions of row {i} (length {len(row)}) change by {diff:.3g} when batched with padding "
                f"(tolerance {atol}): the model is not padding-invariant"
            )
    return worst


def compare_emissions(reference: np.ndarray, candidate: np.ndarray, atol: float = GOLDEN_ATOL) -> float:
    """optimum-style value check: same shape, every value within ``atol``. Returns the largest difference."""
    reference, candidate = np.asarray(reference), np.asarray(candidate)
    if reference.shape != candidate.shape:
        raise BundleError(f"emissions shape {candidate.shape} differs from the reference {reference.shape}")
    diff = float(np.max(np.abs(reference.astype(np.float64) - candidate.astype(np.float64)))) if reference.size else 0.0
    if not diff <= atol:
        raise BundleError(f"emissions differ from the reference by {diff:.3g} (tolerance {atol})")
    return diff


# ---- golden files ----------------------------------------------------------------------------------


def golden_case(text: str, tokenizer: BertWordPieceTokenizer, run: EmissionsFunction, meta: dict) -> dict:
    """One golden case: the single-window row of ``text``, its reference emissions and decoded entities."""
    words = tokenizer.encode_words(text)
    window = build_single_window(words, tokenizer.cls_id, tokenizer.sep_id, meta["maxWordPieces"])
    ids = np.asarray([window.input_ids], dtype=np.int64)
    emissions = np.asarray(run(ids, np.ones_like(ids)), dtype=np.float32)[0]
    first_pieces = emissions[window.first_piece_positions].reshape(len(words), emissions.shape[1])
    return {
        "text": text,
        "input_ids": window.input_ids,
        "emissions": emissions.tolist(),
        "entities": decode_entities(text, words, first_pieces, meta),
    }


def _short(x: float) -> float:
    # 9 significant digits round-trip any float32 exactly, and keep the file small.
    return float(f"{x:.9g}")


def write_golden(path, bundle_name: str, cases: Iterable[dict], atol: float = GOLDEN_ATOL) -> dict:
    """Writes golden.json (format in docs/model-bundle.md); checks each case's shape first."""
    out_cases: List[dict] = []
    for i, case in enumerate(cases):
        ids = [int(x) for x in case["input_ids"]]
        emissions = np.asarray(case["emissions"], dtype=np.float32)
        if emissions.ndim != 2 or emissions.shape[0] != len(ids):
            raise BundleError(f"case {i}: emissions shape {emissions.shape} does not match {len(ids)} input ids")
        if not np.all(np.isfinite(emissions)):
            raise BundleError(f"case {i}: emissions hold a non-finite value")
        entities = []
        for e in case["entities"]:
            if case["text"][e["start"] : e["end"]] != e["span"]:
                raise BundleError(f"case {i}: span {e['span']!r} is not text[{e['start']}:{e['end']}]")
            entities.append({**e, "prob": _short(e["prob"])})
        out_cases.append(
            {
                "text": case["text"],
                "input_ids": ids,
                "emissions": [[_short(x) for x in row] for row in emissions.tolist()],
                "entities": entities,
            }
        )
    golden = {"bundle": bundle_name, "atol": atol, "cases": out_cases}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(golden, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    return golden



def replay_golden(golden_path, atol: float = None) -> float:
    """Replays a golden file the way ner-api's Java test does, in Python: re-tokenizes each text with the
    bundle's tokenizer.json settings, evaluates model.onnx with :mod:`nerexport.onnx_eval`, decodes, and
    checks ids, emissions (within ``atol``, default the file's) and entities. Returns the largest emission
    difference; raises BundleError on the first mismatch."""
    from nerexport.decoding import decode_entities
    from nerexport.onnx_eval import OnnxEvaluator

    golden_path = Path(golden_path)
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    atol = golden["atol"] if atol is None else atol
    bundle_dir = golden_path.parent / golden["bundle"]
    meta = read_bundle_meta(bundle_dir)
    tokenizer_json = json.loads((bundle_dir / TOKENIZER_FILE).read_text(encoding="utf-8"))
    tokenizer = BertWordPieceTokenizer(
        vocab=tokenizer_json["model"]["vocab"],
        lowercase=tokenizer_json["normalizer"]["lowercase"],
        normalization=meta["normalization"],
    )
    graph = OnnxEvaluator(bundle_dir / MODEL_FILE)
    worst = 0.0
    for i, case in enumerate(golden["cases"]):
        words = tokenizer.encode_words(case["text"])
        window = build_single_window(words, tokenizer.cls_id, tokenizer.sep_id, meta["maxWordPieces"])
        if window.input_ids != case["input_ids"]:
            raise BundleError(f"case {i} {case['text']!r}: input ids {window.input_ids} != golden {case['input_ids']}")
        ids = np.asarray([window.input_ids], dtype=np.int64)
        (emissions,) = graph.run(["emissions"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})
        worst = max(worst, compare_emissions(np.asarray(case["emissions"], dtype=np.float32), emissions[0], atol))
        first = emissions[0][window.first_piece_positions].reshape(len(words), emissions.shape[2])
        entities = decode_entities(case["text"], words, first, meta)
        key = lambda e: (e["type"], e["start"], e["end"], e["span"])  # noqa: E731
        if [key(e) for e in entities] != [key(e) for e in case["entities"]]:
            raise BundleError(f"case {i} {case['text']!r}: entities {entities} != golden {case['entities']}")
        for mine, theirs in zip(entities, case["entities"]):
            if not abs(mine["prob"] - theirs["prob"]) <= atol:
                raise BundleError(f"case {i} {case['text']!r}: prob {mine['prob']} != golden {theirs['prob']}")
    return worst
