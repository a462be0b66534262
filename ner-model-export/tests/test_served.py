"""nerexport.served against a small HTTP server that answers like ner-api's batch endpoint."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from nerexport import served

ANSWERS = {"李明在北京。": [{"type": "PER", "start": 0, "end": 2}, {"type": "LOC", "start": 3, "end": 5}],
           "😀张伟": [{"type": "PER", "start": 1, "end": 3}]}


@pytest.fixture()
def server():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 (the http.server API)
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            seen.append((self.path, body, self.headers.get("X-API-Key")))
            if any(not t.strip() for t in body["texts"]):
                self.send_response(400)
                self.end_headers()
                return
            out = json.dumps({"results": [{"entities": ANSWERS.get(t, [])} for t in body["texts"]]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", seen
    httpd.shutdown()


def test_spans_come_back_per_text_in_order_and_blank_texts_are_not_sent(server):
    url, seen = server
    texts = ["李明在北京。", "  ", "😀张伟", "无", " ", "\t"]
    spans = served.recognize(url, texts, "m1", batch=3, api_key="k")
    assert spans == [{("PER", 0, 2), ("LOC", 3, 5)}, set(), {("PER", 1, 3)}, set(), set(), set()]
    assert [(path, body["texts"], body["model"], body["dictionary"], key) for path, body, key in seen] == [
        ("/api/v1/ner/batch", ["李明在北京。", "😀张伟"], "m1", False, "k"),
        ("/api/v1/ner/batch", ["无"], "m1", False, "k")]


def test_the_default_model_is_asked_without_a_model_field(server):
    url, seen = server
    served.recognize(url, ["李明在北京。"], None)
    assert "model" not in seen[0][1]
