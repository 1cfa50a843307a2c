#!/usr/bin/env bash
# How well routing works out of the box: `batch` with the embedded default configuration (no
# user config, no training) on the UncommonRoute dev prompts (fixtures/tiers/dev.jsonl, 392
# prompts in 7 languages), each expected tier standing for its `[ml.labels]` model (SIMPLE
# gpt-4o-mini, MEDIUM claude-3-haiku, COMPLEX claude-3-sonnet, REASONING gpt-4o). Prints, per
# language and overall: accuracy (the expected tier's model chosen) and under-routing (a model
# cheaper than the expected one). `CONFIG=path` measures another configuration, `STRATEGY=x`
# another strategy, `BIN=path` another build.
#
#   bench/default_chain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin llmroute
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
fi
dev=$PWD/fixtures/tiers/dev.jsonl
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
args=(batch "$dev" --strategy "${STRATEGY:-chain}" -o "$tmp/out.csv")
[ -n "${CONFIG:-}" ] && args+=(--config "$(realpath "$CONFIG")")
(cd "$tmp" && env -u LLMROUTE_CONFIG LLMROUTE_STATE="$tmp/state.db" "$BIN" "${args[@]}")
python3 - "$dev" "$tmp/out.csv" <<'PY'
import csv, json, sys
from collections import defaultdict
rows = [json.loads(l) for l in open(sys.argv[1])]
out = list(csv.DictReader(open(sys.argv[2])))
assert len(out) == len(rows), (len(out), len(rows))
want = {"SIMPLE": "gpt-4o-mini", "MEDIUM": "claude-3-haiku", "COMPLEX": "claude-3-sonnet", "REASONING": "gpt-4o"}
rank = {"gpt-4o-mini": 0, "claude-3-haiku": 1, "claude-3-sonnet": 2, "gpt-4o": 3}
seg = defaultdict(lambda: [0, 0, 0])
methods = defaultdict(int)
for r, o in zip(rows, out):
    exp = want[r["expected_tier"]]
    for k in (r["lang"], "all", "non-en" if r["lang"] != "en" else None):
        if k is None:
            continue
        s = seg[k]
        s[0] += 1
        s[1] += o["model"] == exp
        s[2] += rank[o["model"]] < rank[exp]
    methods[o["method"]] += 1
print("| language | prompts | accuracy | under-routed |")
print("|---|---|---|---|")
for k in ["all", "en", "non-en", "zh", "de", "es", "fr", "pt", "ru"]:
    n, ok, under = seg[k]
    if n:
        print(f"| {k} | {n} | {ok / n:.3f} | {under / n * 100:.1f} % |")
print("decided by: " + ", ".join(f"{m} {c}" for m, c in sorted(methods.items())))
PY
