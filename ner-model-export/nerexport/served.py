"""Scores a running ner-api on the four dev sets through its HTTP API: what users get (the Java tokenizer,
ONNX Runtime for Java, the Java decoder, windowing), not a Python replay of the bundle:

    /usr/bin/python3 -m nerexport.served --url http://127.0.0.1:8080 --data ../../shared/data \\
        [--model raner-bge-small-zh-int8]

Requests go to ``/api/v1/ner/batch`` with ``"dictionary": false``; the scores are the recipes' strict span
micro P/R/F1 (``nerexport.training.metrics``).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.request
from typing import List, Optional, Sequence

from nerexport.training import data as D
from nerexport.training import loop
from nerexport.training import metrics as M


def recognize(url: str, texts: Sequence[str], model: Optional[str], batch: int = 32, api_key: str = "") -> List[set]:
    """The served spans ``(type, start, end)`` of each text, in code points as the API gives them."""
    out: List[set] = []
    for i in range(0, len(texts), batch):
        chunk = list(texts[i : i + batch])
        # The API refuses a blank text (400 BLANK_TEXT); it has no entities to score either.
        asked = [t for t in chunk if t.strip()]
        results = iter(_batch(url, asked, model, api_key) if asked else [])
        for text in chunk:
            entities = next(results)["entities"] if text.strip() else []
            out.append({(e["type"], e["start"], e["end"]) for e in entities})
    return out


def _batch(url: str, texts: List[str], model: Optional[str], api_key: str) -> list:
    body = {"texts": texts, "dictionary": False, **({"model": model} if model else {})}
    request = urllib.request.Request(url.rstrip("/") + "/api/v1/ner/batch", data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json",
                                              **({"X-API-Key": api_key} if api_key else {})})
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)["results"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m nerexport.served", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="http://127.0.0.1:8080")
    p.add_argument("--model", help="the model's name (default: the server's default model)")
    p.add_argument("--data", required=True)
    p.add_argument("--api-key", default="")
    a = p.parse_args(argv)
    dev = D.load_corpora(a.data, {"msra": 1.0}).dev
    scores = {}
    for name, sentences in dev.items():
        predicted = recognize(a.url, [t for t, _ in sentences], a.model, api_key=a.api_key)
        scores[name] = M.score([set(spans) for _, spans in sentences], predicted)
    loop.log(f"served {a.model or 'default model'} at {a.url}: dev {M.format_sets(scores)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
