#!/usr/bin/env bash
# The benchmark of issue 6 in one command: bench/run.sh [--quick] [--no-build] [--seconds N]
#   [--only limit,ner-api,python] [--no-cache-run]
# Checks the prerequisites, builds ner-api from the working tree into bench/target/build (--no-build:
# use ner-api/target/quarkus-app as it is), then runs bench/bench.py, which measures the in-process limit,
# ner-api and the Python stack and prints the Markdown report (also written to bench/results/<date>.md).
# ner-api settings may be passed as NER_* environment variables (e.g. NER_INFERENCE_WORKERS=2); the
# result cache is turned off for throughput.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
PYTHON=/usr/bin/python3
BUILD=yes
ARGS=()
for arg in "$@"; do
  case "$arg" in
    --no-build) BUILD=no ;;
    -h|--help)
      sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
      exec "$PYTHON" "$BENCH_DIR/bench.py" --help ;;
    *) ARGS+=("$arg") ;;
  esac
done

MVN=mvn
command -v mvn >/dev/null || MVN="$REPO/mvnw"
missing=()
command -v java >/dev/null || missing+=("java (openjdk-17-jdk-headless)")
command -v wrk >/dev/null || missing+=("wrk")
[ -x "$PYTHON" ] || missing+=("python3 (Debian's, at $PYTHON)")
if [ -x "$PYTHON" ] && ! "$PYTHON" -c 'import torch, fastapi, uvicorn, onnx, numpy' 2>/dev/null; then
  missing+=("python3-torch python3-fastapi python3-uvicorn python3-onnx python3-numpy")
fi
if [ "$BUILD" = yes ] && [ "$MVN" != mvn ] && [ ! -x "$MVN" ]; then missing+=("maven"); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "bench: missing prerequisites: ${missing[*]}" >&2
  echo "bench: on Debian: apt-get install wrk python3-torch python3-fastapi python3-uvicorn python3-onnx libopenblas0-pthread" >&2
  exit 2
fi
if ! dpkg-query -W -f='${Status}' libopenblas0-pthread 2>/dev/null | grep -q "ok installed"; then
  echo "bench: warning: libopenblas0-pthread is not installed; PyTorch falls back to the slow reference BLAS" >&2
fi
java_major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
if [ "${java_major:-0}" -lt 17 ]; then
  echo "bench: Java 17 or later is needed (found ${java_major:-none})" >&2
  exit 2
fi

if [ "$BUILD" = yes ]; then
  # A private copy of the working tree (parent pom, ner-api's main sources, the WebUI files it embeds),
  # built under bench/target: what is measured is exactly the working tree, and ner-api/target, which
  # other builds and tests use, is left alone.
  COPY="$BENCH_DIR/target/build"
  rm -rf "$COPY"
  mkdir -p "$COPY/ner-api" "$COPY/ner-webui/src/main"
  cp "$REPO/pom.xml" "$COPY/"
  cp "$REPO/ner-api/pom.xml" "$COPY/ner-api/"
  cp -r "$REPO/ner-api/src" "$COPY/ner-api/"
  rm -rf "$COPY/ner-api/src/test"
  cp -r "$REPO/ner-webui/src/main/webapp" "$COPY/ner-webui/src/main/"
  echo "bench: building ner-api from the working tree in $COPY (package, tests skipped)" >&2
  (cd "$COPY" && "$MVN" -B -q -f ner-api/pom.xml package -Dmaven.test.skip=true >&2)
  ARGS+=(--app "$COPY/ner-api/target/quarkus-app")
else
  ARGS+=(--app "$REPO/ner-api/target/quarkus-app")
fi

exec "$PYTHON" "$BENCH_DIR/bench.py" --command "bench/run.sh $*" "${ARGS[@]}"
