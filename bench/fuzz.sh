#!/usr/bin/env bash
# Fuzzes llmroute's parsers with cargo-fuzz (libFuzzer), one target after another.
#
#   bench/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS (default 600) is the time per target; TARGETs default to all of them (data, pylit,
# config, model, prices, provider, gateway, state_import: one harness each in src/fuzzing.rs). Each target runs as one
# libFuzzer process (-jobs=1 -workers=1) on fuzz/corpus/<target>, which starts from the committed
# seeds in fuzz/seeds/<target>; new inputs stay in the (ignored) corpus directory and crashes,
# timeouts and out-of-memory inputs land in fuzz/artifacts/<target>/. Per target it prints the
# runs executed, the coverage reached and what it found; then a one-line summary. It exits 1 when
# any target found something. Needs the nightly toolchain and `cargo install cargo-fuzz`; honours
# CARGO_TARGET_DIR, FUZZ_CARGO_ARGS (more `cargo fuzz build/run` flags, e.g. "-O" to build without
# debug assertions and overflow checks) and FUZZ_EXTRA_ARGS (more libFuzzer flags, e.g. "-seed=1",
# or "-fork=1 -ignore_crashes=1" to keep going past a known crash).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

secs=${1:-600}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(data pylit config model prices provider gateway state_import)
fi
case $secs in
  '' | *[!0-9]*) echo "usage: bench/fuzz.sh [SECONDS] [TARGET...]" >&2; exit 2 ;;
esac

max_len() {
  case $1 in
    model) echo 262144 ;;
    *) echo 65536 ;;
  esac
}

logs=$root/fuzz/logs
mkdir -p "$logs"

echo "building the fuzz targets (cargo +nightly fuzz build)..."
# shellcheck disable=SC2086
cargo +nightly fuzz build ${FUZZ_CARGO_ARGS:-} >"$logs/build.log" 2>&1 || { tail -30 "$logs/build.log" >&2; exit 1; }

found=0
summary=()
for t in "${targets[@]}"; do
  corpus=fuzz/corpus/$t seeds=fuzz/seeds/$t artifacts=fuzz/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  # The seeds go into the corpus so that the fuzzer starts from them (and minimises with them).
  if [ -d "$seeds" ]; then cp -n "$seeds"/* "$corpus"/ 2>/dev/null || true; fi
  before=$(ls -1 "$artifacts" | sort)
  log=$logs/$t.log
  echo "=== $t: ${secs}s (log: $log)"
  start=$(date +%s)
  set +e
  # With -jobs/-workers, libFuzzer runs the fuzzing process as its child with output in
  # fuzz-0.log in the working directory, and copies it to stderr when the child ends.
  # shellcheck disable=SC2086
  cargo +nightly fuzz run ${FUZZ_CARGO_ARGS:-} "$t" "$corpus" "$seeds" -- \
    -max_total_time="$secs" -jobs=1 -workers=1 -rss_limit_mb=2048 -timeout=10 \
    -max_len="$(max_len "$t")" -print_final_stats=1 ${FUZZ_EXTRA_ARGS:-} >"$log" 2>&1
  rc=$?
  set -e
  rm -f fuzz-[0-9]*.log
  elapsed=$(( $(date +%s) - start ))
  # (-fork mode prints no final stats: its last status line, `#RUNS: cov: ...`, stands in.)
  runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{print $2}' || true)
  if [ -z "$runs" ]; then runs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#' || true); fi
  status=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -1 || true)
  cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$status")
  ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$status")
  corp=$(sed -nE 's/.* corp: ([0-9]+\/[0-9]+[a-zA-Z]*).*/\1/p' <<<"$status")
  new=$(comm -13 <(echo "$before") <(ls -1 "$artifacts" | sort) | sed '/^$/d' || true)
  kind=none
  if grep -q 'ERROR: libFuzzer: timeout' "$log"; then kind=timeout
  elif grep -qE 'ERROR: libFuzzer: (out-of-memory|malloc)' "$log"; then kind=oom
  elif grep -qE "ERROR: (libFuzzer: deadly signal|AddressSanitizer)|panicked at" "$log"; then kind=crash
  elif [ -n "$new" ] || [ $rc -ne 0 ]; then kind="failure (exit $rc)"
  fi
  echo "    time ${elapsed}s, runs ${runs:-?}, cov ${cov:-?}, ft ${ft:-?}, corpus ${corp:-?}"
  if [ "$kind" = none ]; then
    echo "    found: nothing"
    summary+=("$t ok")
  else
    found=$((found + 1))
    echo "    found: $kind"
    grep -m1 -E 'panicked at|ERROR: libFuzzer|ERROR: AddressSanitizer' "$log" | sed 's/^/    /' || true
    n=0
    for a in $new; do
      n=$((n + 1))
      if [ $n -le 5 ]; then echo "    artifact: $artifacts/$a"; fi
    done
    if [ $n -gt 5 ]; then echo "    ... $n new artifacts in all in $artifacts"; fi
    summary+=("$t $kind")
  fi
done

joined=$(IFS=,; echo "${summary[*]}" | sed 's/,/, /g')
echo "fuzz summary: ${#targets[@]} targets x ${secs}s, $found with findings ($joined)"
[ "$found" -eq 0 ]
