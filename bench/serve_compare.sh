#!/usr/bin/env bash
# Before and after in one run: bench/serve.sh against an earlier llmroute binary and the current
# build, alternating, RUNS times each (default 3), so both see the same machine. Prints each
# run's tables; compare the "added by the gateway" rows.
#
#   bench/serve_compare.sh BEFORE_BIN [RATE] [SECONDS] [sqlite|redis]
#
# BEFORE_BIN is an llmroute binary built from the earlier commit (e.g. `git worktree add` it and
# `cargo build --release` there). RUNS=N sets the repetitions.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: bench/serve_compare.sh BEFORE_BIN [RATE] [SECONDS] [sqlite|redis]}
shift
after=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
cargo build --release --quiet --bin llmroute
for i in $(seq "${RUNS:-3}"); do
  echo "=== run $i: before"
  GATEWAY_BIN=$before bench/serve.sh "$@"
  echo "=== run $i: after"
  GATEWAY_BIN=$after bench/serve.sh "$@"
done
