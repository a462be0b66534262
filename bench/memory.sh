#!/usr/bin/env bash
# Memory per model: bench/memory.sh [--no-build]
# Starts ner-api's packaged app (ner-api/target/quarkus-app, built first unless --no-build) once per set of
# models, waits until it is ready, serves the four dev sets once per model through the API
# (nerexport.served, which also prints each model's served F1), and prints the process's resident size
# when ready and after serving. Needs the shared data folder (../shared/data next to the repository, or
# NER_DATA). Extra bundle directories to add in a last run: NER_EXTRA_BUNDLES=/path/a,/path/b.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA=${NER_DATA:-$REPO/../shared/data}
PORT=${NER_PORT:-18080}
if [ "${1:-}" != "--no-build" ]; then
  (cd "$REPO" && ./mvnw -B -q -pl ner-api -DskipTests package)
fi
JAR="$REPO/ner-api/target/quarkus-app/quarkus-run.jar"

measure() {  # label, then NER_* settings
  local label=$1 pid ready after models
  shift
  env "$@" java -Dquarkus.http.port="$PORT" -Dquarkus.http.host=127.0.0.1 -jar "$JAR" >"/tmp/ner-memory-$label.log" 2>&1 &
  pid=$!
  for _ in $(seq 1 120); do curl -sf "localhost:$PORT/q/health/ready" >/dev/null && break; sleep 1; done
  ready=$(ps -o rss= -p "$pid")
  models=$(curl -s "localhost:$PORT/api/v1/models" | /usr/bin/python3 -c 'import json,sys; print(" ".join(m["name"] for m in json.load(sys.stdin)["models"]))')
  for model in $models; do
    (cd "$REPO/ner-model-export" && /usr/bin/python3 -m nerexport.served --url "http://127.0.0.1:$PORT" --data "$DATA" --model "$model")
  done
  after=$(ps -o rss= -p "$pid")
  echo "$label: [$models] resident $((ready / 1024)) MiB when ready, $((after / 1024)) MiB after serving the dev sets"
  kill "$pid"
  wait "$pid" 2>/dev/null || true
}

names=$(grep -v '^#' "$REPO/ner-api/src/main/resources/ner-models/index.txt" | sed '/^\s*$/d')
for name in $names; do
  measure "$name" NER_MODELS_EMBEDDED="$name"
done
measure all-embedded
if [ -n "${NER_EXTRA_BUNDLES:-}" ]; then
  measure all-embedded-and-extra NER_MODELS_DIRECTORIES="$NER_EXTRA_BUNDLES"
fi
