"""The golden files committed for ner-api's Java replay test are consistent and up to date."""

import json
from pathlib import Path

import pytest

import numpy as np

from nerexport.bundle import replay_golden
from nerexport.raner.golden_fixture import DEFAULT_OUT, generate

REGENERATE = "regenerate them with: cd ner-model-export && /usr/bin/python3 -m nerexport.raner.golden_fixture"


def test_committed_golden_files_replay_through_the_committed_graph():
    golden = DEFAULT_OUT / "golden.json"
    assert golden.is_file(), f"{golden} is missing; {REGENERATE}"
    assert replay_golden(golden) <= 1e-4
    data = json.loads(golden.read_text(encoding="utf-8"))
    assert len(data["cases"]) >= 10
    assert {e["type"] for c in data["cases"] for e in c["entities"]} == {"PER", "LOC", "ORG"}
    assert sum(p.stat().st_size for p in DEFAULT_OUT.iterdir()) < 2 * 1024 * 1024


def test_committed_golden_files_match_a_fresh_regeneration(tmp_path):
    generate(tmp_path, log=lambda *a: None)
    assert (tmp_path / "tokenizer.json").read_bytes() == (DEFAULT_OUT / "tokenizer.json").read_bytes(), REGENERATE
    fresh_meta = json.loads((tmp_path / "ner-model.json").read_text(encoding="utf-8"))
    committed_meta = json.loads((DEFAULT_OUT / "ner-model.json").read_text(encoding="utf-8"))
    for key in ("labels", "crf", "scheme", "maxWordPieces", "normalization", "name"):
        assert fresh_meta[key] == committed_meta[key], f"ner-model.json {key} changed; {REGENERATE}"
    fresh = json.loads((tmp_path / "golden.json").read_text(encoding="utf-8"))
    committed = json.loads((DEFAULT_OUT / "golden.json").read_text(encoding="utf-8"))
    assert [c["text"] for c in fresh["cases"]] == [c["text"] for c in committed["cases"]], REGENERATE
    for mine, theirs in zip(fresh["cases"], committed["cases"]):
        assert mine["input_ids"] == theirs["input_ids"], REGENERATE
        # Exact spans; prob and emissions within float noise, which differs between CPUs' BLAS kernels
        # (the committed tiny-bert prob values moved in the 7th digit from one machine to the next).
        spans = [[{k: v for k, v in e.items() if k != "prob"} for e in case["entities"]] for case in (mine, theirs)]
        assert spans[0] == spans[1], REGENERATE
        probs = [[e["prob"] for e in case["entities"]] for case in (mine, theirs)]
        assert np.allclose(probs[0], probs[1], rtol=0, atol=1e-5), REGENERATE
        assert np.abs(np.array(mine["emissions"]) - np.array(theirs["emissions"])).max() <= 1e-5, REGENERATE


EMBEDDED = Path(__file__).resolve().parents[2] / "ner-api" / "src" / "main" / "resources" / "ner-models"
GOLDEN = Path(__file__).resolve().parents[2] / "ner-api" / "src" / "test" / "resources" / "golden"


def embedded_names():
    return [line.strip() for line in (EMBEDDED / "index.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@pytest.mark.parametrize("name", embedded_names())
def test_every_embedded_bundle_has_a_golden_file_that_replays_through_its_graph(name):
    golden = GOLDEN / name / "golden.json"
    assert golden.is_file(), f"embedded bundle {name} has no {golden}"
    data = json.loads(golden.read_text(encoding="utf-8"))
    assert (golden.parent / data["bundle"]).resolve() == (EMBEDDED / name).resolve()
    assert replay_golden(golden) <= data["atol"]
    assert sum(len(c["entities"]) for c in data["cases"]) > 0
