#!/usr/bin/env bash
# Regenerates the committed shell completion scripts (completions/) and man pages (man/) from the
# clap definition. Honours CARGO_TARGET_DIR. Each file is written to a temporary file and moved
# into place only when generation succeeded, so a failed run leaves the committed files as they were.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet --bin llmroute
bin=${CARGO_TARGET_DIR:-$PWD/target}/debug/llmroute
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
gen() { # gen OUTPUT ARGS...
  local out=$1
  shift
  "$bin" "$@" > "$tmp/out"
  mv "$tmp/out" "$out"
}
gen completions/llmroute.bash completions bash
gen completions/_llmroute completions zsh
gen completions/llmroute.fish completions fish
gen completions/_llmroute.ps1 completions powershell
gen completions/llmroute.elv completions elvish
"$bin" man --dir "$tmp/man"
rm -rf man.old
[ -d man ] && mv man man.old
mv "$tmp/man" man
rm -rf man.old
echo "completions regenerated in completions/, man pages in man/"
