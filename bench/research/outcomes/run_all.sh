#!/usr/bin/env bash
# One command: venv, every set x seeds 42,1..5, blends, tables. Heavy: run it niced.
#   nice -n 19 bash run_all.sh
set -euo pipefail
cd "$(dirname "$0")"
[ -x .venv/bin/python ] || { python3 -m venv .venv && .venv/bin/pip install -q scikit-learn==1.9.1 numpy==2.4.6 scipy==1.17.1; }
mkdir -p logs
SKIP=${SKIP-lr_hard,knn_lr_oracle} .venv/bin/python -u outcomes_bench.py "$@" | tee logs/run_all.log
.venv/bin/python outcomes_bench.py --sets routerbench --seeds 42 --only forest | tee -a logs/run_all.log  # the sklearn forest stand-in (slow)
args=$(ls results/*.json | sed -E 's#results/(.*)_([0-9]+)\.json#\1:\2#')
.venv/bin/python blend.py $args
.venv/bin/python report.py > tables.md
