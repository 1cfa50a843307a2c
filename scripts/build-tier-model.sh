#!/usr/bin/env bash
# Rebuilds the built-in tier model (`builtin:tiers`) from the MIT-licensed UncommonRoute tier data in
# fixtures/tiers. Seeded: the same source gives a byte-identical file (a test checks the shipped
# file against a fresh build). The dev split is left out for measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin llmroute
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
# Keep in sync with tests/cli/builtin.rs (the same arguments rebuild it there).
"$bin" train fixtures/tiers/train.jsonl --label-col expected_tier --valid-split 0 --seed 42 \
  --features encoder --calibrate \
  -o src/ml/builtin/tiers.model --force
cp fixtures/tiers/LICENSE src/ml/builtin/LICENSE-tiers
