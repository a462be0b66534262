#!/usr/bin/env bash
# Chooses the bge recipe's learning rate on dev (MODEL_CARD.md, "The BERT-CRF: how its settings were
# chosen"): one epoch on the first 1,000 training sentences of each set, scored on the first 400 dev
# sentences of each set, for each learning rate. Not part of the recipe or of the tests.
#   cd ner-model-export && experiments/bge_lr_probe.sh ../../shared/data [/tmp/bge-probe]
set -euo pipefail
data=${1:?usage: bge_lr_probe.sh <shared data folder> [work dir]}
work=${2:-/tmp/bge-probe}
python=${PYTHON:-/opt/nerexport-venv/bin/python}
for lr in 5e-5 1e-4 2e-4; do
  OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 "$python" -m nerexport.bge.train --data "$data" \
    --out "$work/lr$lr/bundle" --work-dir "$work/lr$lr/work" --epochs 1 --limit 1000 --dev-limit 400 \
    --lr "$lr" --latency-sentences 5 --threads 2 2>&1 | tee "$work/lr$lr.log" | grep -E "epoch 1 dev|final"
done
